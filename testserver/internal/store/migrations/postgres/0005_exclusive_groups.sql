-- A group whose whole member set is managed as one (by an authoritative
-- client) refuses per-user additions and removals while this is set.
ALTER TABLE groups_ ADD COLUMN members_exclusive INTEGER NOT NULL DEFAULT 0;
