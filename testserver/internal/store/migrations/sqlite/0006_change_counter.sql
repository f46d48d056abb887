-- The server-wide change counter: the version of the identities file
-- (GET /api/v1/identities). It starts at 1, so 0 never names a state of a
-- server, and goes up by one on every row change to what the file holds:
-- users other than the system user, custom roles, groups, memberships and
-- grants. Changes the file does not show (passwords, sessions, logins,
-- tokens, a group's own version) leave it alone, so they never make an
-- exported file stale. The triggers are SQLite's; a PostgreSQL backend keeps
-- the same one-row table and bumps it from one trigger function per table.
CREATE TABLE change_counter (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT INTO change_counter(id, value) VALUES (1, 1);

CREATE TRIGGER users_insert_counter AFTER INSERT ON users WHEN NEW.is_system = 0
BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER users_update_counter AFTER UPDATE ON users WHEN NEW.is_system = 0 AND (
    OLD.username IS NOT NEW.username OR OLD.email IS NOT NEW.email OR OLD.first_name IS NOT NEW.first_name
    OR OLD.last_name IS NOT NEW.last_name OR OLD.organization IS NOT NEW.organization OR OLD.role IS NOT NEW.role
    OR OLD.disabled IS NOT NEW.disabled OR OLD.attributes IS NOT NEW.attributes)
BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER users_delete_counter AFTER DELETE ON users WHEN OLD.is_system = 0
BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;

CREATE TRIGGER roles_insert_counter AFTER INSERT ON roles WHEN NEW.builtin = 0
BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER roles_update_counter AFTER UPDATE ON roles WHEN NEW.builtin = 0 AND (
    OLD.level IS NOT NEW.level OR OLD.description IS NOT NEW.description)
BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER roles_delete_counter AFTER DELETE ON roles WHEN OLD.builtin = 0
BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;

CREATE TRIGGER groups_insert_counter AFTER INSERT ON groups_
BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER groups_update_counter AFTER UPDATE ON groups_ WHEN
    OLD.name IS NOT NEW.name OR OLD.organization IS NOT NEW.organization OR OLD.description IS NOT NEW.description
BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER groups_delete_counter AFTER DELETE ON groups_
BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;

CREATE TRIGGER memberships_insert_counter AFTER INSERT ON memberships
BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER memberships_delete_counter AFTER DELETE ON memberships
BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;

CREATE TRIGGER permissions_insert_counter AFTER INSERT ON permissions
BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER permissions_delete_counter AFTER DELETE ON permissions
BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
