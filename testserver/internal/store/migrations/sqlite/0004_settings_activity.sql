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

-- Activity, nullable and read-only: stored as fixed-width RFC 3339 (nine
-- fractional digits) so that text order is time order.
ALTER TABLE users ADD COLUMN last_login_at TEXT;
ALTER TABLE tokens ADD COLUMN last_used_at TEXT;
CREATE INDEX users_last_login ON users(last_login_at);
CREATE INDEX users_first_name ON users(first_name COLLATE NOCASE);
CREATE INDEX users_last_name ON users(last_name COLLATE NOCASE);
