-- As migrations/sqlite/0004_settings_activity.sql.
CREATE TABLE server_settings (
    id                       INTEGER PRIMARY KEY CHECK (id = 1),
    self_registration        INTEGER NOT NULL,
    self_registration_role   TEXT NOT NULL REFERENCES roles(name),
    password_min_length      INTEGER NOT NULL,
    session_ttl_seconds      BIGINT NOT NULL,
    login_throttle_threshold INTEGER NOT NULL,
    login_throttle_window_seconds BIGINT NOT NULL,
    updated_at               TEXT NOT NULL,
    version                  BIGINT NOT NULL
);

ALTER TABLE users ADD COLUMN last_login_at TEXT;
ALTER TABLE tokens ADD COLUMN last_used_at TEXT;
CREATE INDEX users_last_login ON users(last_login_at);
CREATE INDEX users_first_name ON users(first_name COLLATE nocase);
CREATE INDEX users_last_name ON users(last_name COLLATE nocase);
