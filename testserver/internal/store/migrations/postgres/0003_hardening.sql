-- As migrations/sqlite/0003_hardening.sql.
ALTER TABLE audit ADD COLUMN count BIGINT NOT NULL DEFAULT 1;
ALTER TABLE audit ADD COLUMN last_at TEXT NOT NULL DEFAULT '';
UPDATE audit SET last_at = at;
CREATE INDEX audit_refusals ON audit(actor_id, action, status, id);

CREATE INDEX tokens_created_by ON tokens(created_by);

ALTER TABLE users ADD COLUMN email_key TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN organization_key TEXT NOT NULL DEFAULT '';
ALTER TABLE groups_ ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE groups_ ADD COLUMN organization_key TEXT NOT NULL DEFAULT '';
ALTER TABLE groups_ ADD COLUMN full_name_key TEXT NOT NULL DEFAULT '';

-- Rows inserted by plain SQL (seeding tools) get keys too.
CREATE FUNCTION users_fold_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.email_key := lower(NEW.email);
    NEW.organization_key := lower(NEW.organization);
    RETURN NEW;
END $$;
CREATE TRIGGER users_fold_keys BEFORE INSERT ON users FOR EACH ROW WHEN (NEW.email_key = '')
    EXECUTE FUNCTION users_fold_keys();

CREATE FUNCTION groups_fold_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.name_key := lower(NEW.name);
    NEW.organization_key := lower(NEW.organization);
    NEW.full_name_key := lower(NEW.full_name);
    RETURN NEW;
END $$;
CREATE TRIGGER groups_fold_keys BEFORE INSERT ON groups_ FOR EACH ROW WHEN (NEW.full_name_key = '')
    EXECUTE FUNCTION groups_fold_keys();
