-- Decisions read the grants of one principal (a user, its groups, its role)
-- for a few operations on a few scopes. Each principal column leads an index
-- on (principal, operation, scope), so such a lookup reads only the rows it
-- returns; the single-column indexes they replace are their prefixes and
-- still serve the principal filters and the foreign keys' cascades.
DROP INDEX permissions_user;
DROP INDEX permissions_group;
DROP INDEX permissions_role;
CREATE INDEX permissions_user_grant ON permissions(user_id, operation, scope);
CREATE INDEX permissions_group_grant ON permissions(group_id, operation, scope);
CREATE INDEX permissions_role_grant ON permissions(role, operation, scope);

-- A user's groups come from the index alone, without reading membership rows.
DROP INDEX memberships_user;
CREATE INDEX memberships_user_group ON memberships(user_id, group_id);
