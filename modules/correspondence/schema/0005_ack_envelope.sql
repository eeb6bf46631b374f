-- The envelope that carried an acknowledgment back to the sender's node, so
-- that a failure to deliver it is shown rather than lost.
ALTER TABLE message_recipients ADD COLUMN ack_envelope TEXT NOT NULL DEFAULT '';
