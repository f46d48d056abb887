-- The server's settings: one row, created by the first change; until then
-- the defaults apply. The self-registration role cannot be deleted while it
-- is in use here.
CREATE TABLE server_settings (
    id                       INTEGER PRIMARY KEY CHECK (id = 1),
    self_registration        INTEGER NOT NULL,
    self_registration_role   TEXT NOT NULL REFERENCES roles(name),
    password_min_length      INTEGER NOT NULL,
    session_ttl_seconds      INTEGER NOT NULL,
    login_throttle_threshold INTEGER NOT NULL,
    login_throttle_window_seconds INTEGER NOT NULL,
    updated_at               TEXT NOT NULL,
    version                  INTEGER NOT NULL
);

-- A server-wide change counter: every change to users, groups, memberships,
-- roles and grants moves it on, so an identities file records the state it
-- was exported from. Membership changes move it through the group's version
-- (every one touches its group), so a bulk replace costs one step, not one
-- per row.
CREATE TABLE change_counter (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT INTO change_counter(id, value) VALUES (1, 0);
CREATE TRIGGER users_changed_i AFTER INSERT ON users BEGIN UPDATE change_counter SET value = value + 1; END;
CREATE TRIGGER users_changed_u AFTER UPDATE OF email, first_name, last_name, organization, role, disabled, attributes ON users
    BEGIN UPDATE change_counter SET value = value + 1; END;
CREATE TRIGGER users_changed_d AFTER DELETE ON users BEGIN UPDATE change_counter SET value = value + 1; END;
CREATE TRIGGER groups_changed_i AFTER INSERT ON groups_ BEGIN UPDATE change_counter SET value = value + 1; END;
CREATE TRIGGER groups_changed_u AFTER UPDATE ON groups_ BEGIN UPDATE change_counter SET value = value + 1; END;
CREATE TRIGGER groups_changed_d AFTER DELETE ON groups_ BEGIN UPDATE change_counter SET value = value + 1; END;
CREATE TRIGGER roles_changed_i AFTER INSERT ON roles BEGIN UPDATE change_counter SET value = value + 1; END;
CREATE TRIGGER roles_changed_u AFTER UPDATE ON roles BEGIN UPDATE change_counter SET value = value + 1; END;
CREATE TRIGGER roles_changed_d AFTER DELETE ON roles BEGIN UPDATE change_counter SET value = value + 1; END;
CREATE TRIGGER permissions_changed_i AFTER INSERT ON permissions BEGIN UPDATE change_counter SET value = value + 1; END;
CREATE TRIGGER permissions_changed_d AFTER DELETE ON permissions BEGIN UPDATE change_counter SET value = value + 1; END;

-- Activity, nullable and read-only: stored as fixed-width RFC 3339 (nine
-- fractional digits) so that text order is time order.
ALTER TABLE users ADD COLUMN last_login_at TEXT;
ALTER TABLE tokens ADD COLUMN last_used_at TEXT;
CREATE INDEX users_last_login ON users(last_login_at);
CREATE INDEX users_first_name ON users(first_name COLLATE NOCASE);
CREATE INDEX users_last_name ON users(last_name COLLATE NOCASE);
