-- Roles are keyed by name; users, tokens and role grants refer to them and
-- block their deletion (ON DELETE RESTRICT by default).
CREATE TABLE roles (
    name        TEXT PRIMARY KEY,
    level       INTEGER NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    builtin     INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX roles_level_name ON roles(level, name);

-- seq gives the stable creation order used by pagination; id is the public UUID.
-- COLLATE NOCASE on the column makes the unique indexes and the equality
-- lookups case-insensitive together.
CREATE TABLE users (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    id            TEXT NOT NULL UNIQUE,
    username      TEXT NOT NULL COLLATE NOCASE,
    email         TEXT NOT NULL COLLATE NOCASE,
    first_name    TEXT NOT NULL DEFAULT '',
    last_name     TEXT NOT NULL DEFAULT '',
    organization  TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL REFERENCES roles(name),
    disabled      INTEGER NOT NULL DEFAULT 0,
    attributes    TEXT NOT NULL DEFAULT '{}',
    password_hash TEXT NOT NULL DEFAULT '',
    is_system     INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX users_username ON users(username);
CREATE UNIQUE INDEX users_email ON users(email);
CREATE INDEX users_role ON users(role);
CREATE INDEX users_organization ON users(organization COLLATE NOCASE);

CREATE TABLE groups_ (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL COLLATE NOCASE,
    organization TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
    full_name    TEXT NOT NULL COLLATE NOCASE,
    description  TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX groups_full_name ON groups_(full_name);
CREATE INDEX groups_name ON groups_(name);
CREATE INDEX groups_organization ON groups_(organization);

CREATE TABLE memberships (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id   TEXT NOT NULL REFERENCES groups_(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    UNIQUE (group_id, user_id)
);
CREATE INDEX memberships_user ON memberships(user_id);

-- Exactly one principal column is set; the others are NULL so the foreign
-- keys apply only to the one in use.
CREATE TABLE permissions (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE,
    operation  TEXT NOT NULL,
    scope      TEXT NOT NULL,
    user_id    TEXT REFERENCES users(id) ON DELETE CASCADE,
    group_id   TEXT REFERENCES groups_(id) ON DELETE CASCADE,
    role       TEXT REFERENCES roles(name),
    created_at TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    CHECK ((user_id IS NOT NULL) + (group_id IS NOT NULL) + (role IS NOT NULL) = 1)
);
CREATE UNIQUE INDEX permissions_grant ON permissions(operation, scope, coalesce(user_id, ''), coalesce(group_id, ''), coalesce(role, ''));
CREATE INDEX permissions_user ON permissions(user_id);
CREATE INDEX permissions_group ON permissions(group_id);
CREATE INDEX permissions_role ON permissions(role);

CREATE TABLE tokens (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    role        TEXT NOT NULL REFERENCES roles(name),
    description TEXT NOT NULL DEFAULT '',
    expires_at  TEXT,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX tokens_role ON tokens(role);

-- Only the SHA-256 of a session token is stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expiry ON sessions(expires_at);

CREATE TABLE audit (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    status      INTEGER NOT NULL,
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_object ON audit(object_type, object_id);
CREATE INDEX audit_actor ON audit(actor);
CREATE INDEX audit_action ON audit(action);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
