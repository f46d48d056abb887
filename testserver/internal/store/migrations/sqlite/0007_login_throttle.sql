-- Login throttle counters, for servers that share them through the database
-- (replicas on PostgreSQL): one row per failed login (pending = 0, at = when
-- it failed) or attempt under way (pending = 1, at = when it was reserved),
-- in each bucket it counts against. at is in Unix nanoseconds.
CREATE TABLE login_attempts (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    bucket  TEXT NOT NULL,
    at      INTEGER NOT NULL,
    pending INTEGER NOT NULL
);
CREATE INDEX login_attempts_bucket ON login_attempts(bucket, pending, at);
CREATE INDEX login_attempts_at ON login_attempts(at);
