-- As migrations/sqlite/0006_change_counter.sql: the version of the
-- identities file, bumped by one trigger function per table on the changes
-- the file shows.
CREATE TABLE change_counter (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL
);
INSERT INTO change_counter(id, value) VALUES (1, 1);

CREATE FUNCTION bump_change_counter() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE change_counter SET value = value + 1 WHERE id = 1;
    RETURN NULL;
END $$;

CREATE TRIGGER users_insert_counter AFTER INSERT ON users FOR EACH ROW WHEN (NEW.is_system = 0)
    EXECUTE FUNCTION bump_change_counter();
CREATE TRIGGER users_update_counter AFTER UPDATE ON users FOR EACH ROW WHEN (NEW.is_system = 0 AND (
    OLD.username IS DISTINCT FROM NEW.username OR OLD.email IS DISTINCT FROM NEW.email
    OR OLD.first_name IS DISTINCT FROM NEW.first_name OR OLD.last_name IS DISTINCT FROM NEW.last_name
    OR OLD.organization IS DISTINCT FROM NEW.organization OR OLD.role IS DISTINCT FROM NEW.role
    OR OLD.disabled IS DISTINCT FROM NEW.disabled OR OLD.attributes IS DISTINCT FROM NEW.attributes))
    EXECUTE FUNCTION bump_change_counter();
CREATE TRIGGER users_delete_counter AFTER DELETE ON users FOR EACH ROW WHEN (OLD.is_system = 0)
    EXECUTE FUNCTION bump_change_counter();

CREATE TRIGGER roles_insert_counter AFTER INSERT ON roles FOR EACH ROW WHEN (NEW.builtin = 0)
    EXECUTE FUNCTION bump_change_counter();
CREATE TRIGGER roles_update_counter AFTER UPDATE ON roles FOR EACH ROW WHEN (NEW.builtin = 0 AND (
    OLD.level IS DISTINCT FROM NEW.level OR OLD.description IS DISTINCT FROM NEW.description))
    EXECUTE FUNCTION bump_change_counter();
CREATE TRIGGER roles_delete_counter AFTER DELETE ON roles FOR EACH ROW WHEN (OLD.builtin = 0)
    EXECUTE FUNCTION bump_change_counter();

CREATE TRIGGER groups_insert_counter AFTER INSERT ON groups_ FOR EACH ROW
    EXECUTE FUNCTION bump_change_counter();
CREATE TRIGGER groups_update_counter AFTER UPDATE ON groups_ FOR EACH ROW WHEN (
    OLD.name IS DISTINCT FROM NEW.name OR OLD.organization IS DISTINCT FROM NEW.organization
    OR OLD.description IS DISTINCT FROM NEW.description)
    EXECUTE FUNCTION bump_change_counter();
CREATE TRIGGER groups_delete_counter AFTER DELETE ON groups_ FOR EACH ROW
    EXECUTE FUNCTION bump_change_counter();

CREATE TRIGGER memberships_insert_counter AFTER INSERT ON memberships FOR EACH ROW
    EXECUTE FUNCTION bump_change_counter();
CREATE TRIGGER memberships_delete_counter AFTER DELETE ON memberships FOR EACH ROW
    EXECUTE FUNCTION bump_change_counter();

CREATE TRIGGER permissions_insert_counter AFTER INSERT ON permissions FOR EACH ROW
    EXECUTE FUNCTION bump_change_counter();
CREATE TRIGGER permissions_delete_counter AFTER DELETE ON permissions FOR EACH ROW
    EXECUTE FUNCTION bump_change_counter();
