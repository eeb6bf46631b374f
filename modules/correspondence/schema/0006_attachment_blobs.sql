-- Attachments move to the blob store (internal/blobs), which replicas share
-- through S3: blob names the file by its SHA-256, and data stays empty. Rows
-- written before keep their bytes in data, and blob empty.
ALTER TABLE attachments ADD COLUMN blob TEXT NOT NULL DEFAULT '';
