-- Refused requests repeated by one actor within a short window share one
-- audit row: count says how many there were, last_at when the last came.
ALTER TABLE audit ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
ALTER TABLE audit ADD COLUMN last_at TEXT NOT NULL DEFAULT '';
UPDATE audit SET last_at = at;
CREATE INDEX audit_refusals ON audit(actor_id, action, status, id);

-- Tokens are listed by, and revoked with, the user who created them.
CREATE INDEX tokens_created_by ON tokens(created_by);

-- Comparison keys: the value in Unicode normal form C with its case folded
-- (COLLATE NOCASE folds ASCII only). The server fills them (see fold.go);
-- the unique indexes on them are created once existing rows have theirs.
ALTER TABLE users ADD COLUMN email_key TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN organization_key TEXT NOT NULL DEFAULT '';
ALTER TABLE groups_ ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE groups_ ADD COLUMN organization_key TEXT NOT NULL DEFAULT '';
ALTER TABLE groups_ ADD COLUMN full_name_key TEXT NOT NULL DEFAULT '';

-- Rows inserted by plain SQL (seeding tools) get keys too: SQL's lower()
-- folds ASCII only, which is exact for ASCII values, and the unique index
-- still holds them to it.
CREATE TRIGGER users_fold_keys AFTER INSERT ON users WHEN NEW.email_key = '' BEGIN
    UPDATE users SET email_key = lower(NEW.email), organization_key = lower(NEW.organization) WHERE id = NEW.id;
END;
CREATE TRIGGER groups_fold_keys AFTER INSERT ON groups_ WHEN NEW.full_name_key = '' BEGIN
    UPDATE groups_ SET name_key = lower(NEW.name), organization_key = lower(NEW.organization),
        full_name_key = lower(NEW.full_name) WHERE id = NEW.id;
END;
