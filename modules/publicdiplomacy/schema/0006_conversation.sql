-- A post's public page shows its replies and the answers to them, and
-- every list of posts counts replies: both look up by the post replied to.
CREATE INDEX pd_inbox_reply_to_post ON pd_inbox (reply_to_post);
CREATE INDEX pd_posts_reply_item ON pd_posts (reply_item);
