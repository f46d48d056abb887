package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/seed/terraform-provider-identity/internal/catalog"
)

// Group is a stored group.
type Group struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Organization string `json:"organization"`
	FullName     string `json:"full_name"`
	Description  string `json:"description"`
	MemberCount  int    `json:"member_count"`
	// MembersExclusive marks a group whose member set is managed as a whole:
	// per-user additions and removals are refused while it is set.
	MembersExclusive bool   `json:"members_exclusive"`
	CreatedAt        string `json:"created_at"`
	UpdatedAt        string `json:"updated_at"`
	Version          int64  `json:"version"`
	seq              int64
}

const groupCols = `g.seq, g.id, g.name, g.organization, g.full_name, g.description,
	(SELECT count(*) FROM memberships m WHERE m.group_id = g.id), g.members_exclusive, g.created_at, g.updated_at, g.version`

func scanGroup(s scanner) (Group, error) {
	var g Group
	err := s.Scan(&g.seq, &g.ID, &g.Name, &g.Organization, &g.FullName, &g.Description, &g.MemberCount, &g.MembersExclusive, &g.CreatedAt, &g.UpdatedAt, &g.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return g, ErrNotFound
	}
	return g, err
}

// GetGroup returns the group with that id.
func GetGroup(ctx context.Context, q Querier, id string) (Group, error) {
	return scanGroup(q.QueryRowContext(ctx, `SELECT `+groupCols+` FROM groups_ g WHERE g.id = ?`, id))
}

// GroupFilter narrows ListGroups.
type GroupFilter struct {
	Name, FullName string
	// Organization filters when non-nil; a pointer to "" selects the groups
	// without an organization.
	Organization *string
	MemberID     string // only the groups this user is a member of
}

// ListGroups returns one page of groups in creation order.
func ListGroups(ctx context.Context, q Querier, f GroupFilter, p Page) ([]Group, string, error) {
	var w where
	if f.Name != "" {
		w.add(`g.name_key = ?`, Fold(f.Name))
	}
	if f.Organization != nil {
		w.add(`g.organization_key = ?`, Fold(*f.Organization))
	}
	if f.FullName != "" {
		w.add(`g.full_name_key = ?`, Fold(f.FullName))
	}
	if f.MemberID != "" {
		w.add(`g.id IN (SELECT m.group_id FROM memberships m WHERE m.user_id = ?)`, f.MemberID)
	}
	w.add(`g.seq > ?`, p.After)
	return queryPage(ctx, q, p, scanGroup, func(x Group) int64 { return x.seq }, `SELECT `+groupCols+` FROM groups_ g`+w.sql()+` ORDER BY g.seq LIMIT ?`, append(w.args, p.Limit+1)...)
}

func checkGroupUnique(ctx context.Context, q Querier, g *Group) error {
	var id string
	err := q.QueryRowContext(ctx, `SELECT id FROM groups_ WHERE full_name_key = ? AND id != ?`, Fold(g.FullName), g.ID).Scan(&id)
	if err == nil {
		return Conflict("name", "a group named %q already exists", g.FullName)
	} else if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	return nil
}

// InsertGroup stores a new group.
func InsertGroup(ctx context.Context, q Querier, g *Group) error {
	g.FullName = catalog.GroupFullName(g.Organization, g.Name)
	if err := checkGroupUnique(ctx, q, g); err != nil {
		return err
	}
	return q.QueryRowContext(ctx, `INSERT INTO groups_(id, name, organization, full_name, description, created_at, updated_at, version,
		name_key, organization_key, full_name_key) VALUES (?,?,?,?,?,?,?,?,?,?,?) RETURNING seq`, g.ID, g.Name, g.Organization, g.FullName, g.Description,
		g.CreatedAt, g.UpdatedAt, g.Version, Fold(g.Name), Fold(g.Organization), Fold(g.FullName)).Scan(&g.seq)
}

// UpdateGroup writes name, organization and description and bumps the version.
func UpdateGroup(ctx context.Context, q Querier, g *Group) error {
	g.FullName = catalog.GroupFullName(g.Organization, g.Name)
	if err := checkGroupUnique(ctx, q, g); err != nil {
		return err
	}
	g.UpdatedAt = Now()
	g.Version++
	res, err := q.ExecContext(ctx, `UPDATE groups_ SET name = ?, organization = ?, full_name = ?, description = ?, updated_at = ?, version = ?,
		name_key = ?, organization_key = ?, full_name_key = ? WHERE id = ?`,
		g.Name, g.Organization, g.FullName, g.Description, g.UpdatedAt, g.Version, Fold(g.Name), Fold(g.Organization), Fold(g.FullName), g.ID)
	if err != nil {
		return err
	}
	return mustAffect(res)
}

// DeleteGroup removes a group with its memberships and grants.
func DeleteGroup(ctx context.Context, q Querier, id string) error {
	res, err := q.ExecContext(ctx, `DELETE FROM groups_ WHERE id = ?`, id)
	if err != nil {
		return err
	}
	return mustAffect(res)
}

// TouchGroup bumps a group's version after a membership change.
func TouchGroup(ctx context.Context, q Querier, id string) error {
	_, err := q.ExecContext(ctx, `UPDATE groups_ SET version = version + 1, updated_at = ? WHERE id = ?`, Now(), id)
	return err
}

// SetMembersExclusive sets or clears a group's members_exclusive mark;
// changed reports whether it was different before.
func SetMembersExclusive(ctx context.Context, q Querier, id string, exclusive bool) (changed bool, err error) {
	res, err := q.ExecContext(ctx, `UPDATE groups_ SET members_exclusive = ? WHERE id = ? AND members_exclusive != ?`, exclusive, id, exclusive)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// Membership is one user in one group.
type Membership struct {
	GroupID   string `json:"group_id"`
	UserID    string `json:"user_id"`
	Username  string `json:"username"`
	Email     string `json:"email"`
	CreatedAt string `json:"created_at"`
	seq       int64
}

const memberCols = `m.seq, m.group_id, m.user_id, u.username, u.email, m.created_at`
const memberFrom = ` FROM memberships m JOIN users u ON u.id = m.user_id`

func scanMember(s scanner) (Membership, error) {
	var m Membership
	err := s.Scan(&m.seq, &m.GroupID, &m.UserID, &m.Username, &m.Email, &m.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return m, ErrNotFound
	}
	return m, err
}

// GetMember returns one membership.
func GetMember(ctx context.Context, q Querier, groupID, userID string) (Membership, error) {
	return scanMember(q.QueryRowContext(ctx, `SELECT `+memberCols+memberFrom+` WHERE m.group_id = ? AND m.user_id = ?`, groupID, userID))
}

// ListMembers returns one page of a group's memberships in the order they were made.
func ListMembers(ctx context.Context, q Querier, groupID string, p Page) ([]Membership, string, error) {
	return queryPage(ctx, q, p, scanMember, func(x Membership) int64 { return x.seq }, `SELECT `+memberCols+memberFrom+` WHERE m.group_id = ? AND m.seq > ? ORDER BY m.seq LIMIT ?`, groupID, p.After, p.Limit+1)
}

// MemberIDs returns every member's user id, sorted.
func MemberIDs(ctx context.Context, q Querier, groupID string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT user_id FROM memberships WHERE group_id = ? ORDER BY user_id`, groupID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// AddMember adds a user to a group; added is false when it already was a member.
func AddMember(ctx context.Context, q Querier, groupID, userID string) (added bool, err error) {
	res, err := q.ExecContext(ctx, `INSERT INTO memberships(group_id, user_id, created_at) VALUES (?, ?, ?) ON CONFLICT(group_id, user_id) DO NOTHING`,
		groupID, userID, Now())
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// RemoveMember removes a user from a group.
func RemoveMember(ctx context.Context, q Querier, groupID, userID string) error {
	res, err := q.ExecContext(ctx, `DELETE FROM memberships WHERE group_id = ? AND user_id = ?`, groupID, userID)
	if err != nil {
		return err
	}
	return mustAffect(res)
}

// UnknownUsersError lists ids in a member set that name no user.
type UnknownUsersError struct{ IDs []string }

// Error lists the unknown ids.
func (e *UnknownUsersError) Error() string {
	return fmt.Sprintf("%d user ids are unknown: %s", len(e.IDs), strings.Join(e.IDs, ", "))
}

// chunk bounds the rows in one multi-row INSERT, well under SQLite's
// variable limit, so 100,000 ids take a few hundred statements, not 100,000.
const chunk = 500

// ReplaceMembers makes userIDs (already unique and well-formed) the whole
// member set of a group, inside the caller's transaction. It stages the set in
// a temporary table, then deletes and inserts with one statement each.
func ReplaceMembers(ctx context.Context, q Querier, groupID string, userIDs []string) (added, removed int64, err error) {
	if _, err := q.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS wanted_members (user_id TEXT PRIMARY KEY) WITHOUT ROWID`); err != nil {
		return 0, 0, err
	}
	defer func() {
		// The temp table lives on the single writer connection; empty it for the next caller.
		if _, cerr := q.ExecContext(context.WithoutCancel(ctx), `DELETE FROM wanted_members`); cerr != nil && err == nil {
			err = cerr
		}
	}()
	if _, err := q.ExecContext(ctx, `DELETE FROM wanted_members`); err != nil {
		return 0, 0, err
	}
	for start := 0; start < len(userIDs); start += chunk {
		end := min(start+chunk, len(userIDs))
		part := userIDs[start:end]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		stmt := `INSERT INTO wanted_members(user_id) VALUES ` + strings.TrimSuffix(strings.Repeat("(?),", len(part)), ",") + ` ON CONFLICT DO NOTHING`
		if _, err := q.ExecContext(ctx, stmt, args...); err != nil {
			return 0, 0, err
		}
	}
	rows, err := q.QueryContext(ctx, `SELECT w.user_id FROM wanted_members w WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = w.user_id) ORDER BY w.user_id LIMIT 50`)
	if err != nil {
		return 0, 0, err
	}
	var unknown []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, 0, err
		}
		unknown = append(unknown, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, err
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return 0, 0, &UnknownUsersError{IDs: unknown}
	}
	res, err := q.ExecContext(ctx, `DELETE FROM memberships WHERE group_id = ? AND user_id NOT IN (SELECT user_id FROM wanted_members)`, groupID)
	if err != nil {
		return 0, 0, err
	}
	if removed, err = res.RowsAffected(); err != nil {
		return 0, 0, err
	}
	res, err = q.ExecContext(ctx, `INSERT INTO memberships(group_id, user_id, created_at)
		SELECT ?, user_id, ? FROM wanted_members WHERE true ORDER BY user_id ON CONFLICT(group_id, user_id) DO NOTHING`, groupID, Now())
	if err != nil {
		return 0, 0, err
	}
	if added, err = res.RowsAffected(); err != nil {
		return 0, 0, err
	}
	return added, removed, nil
}
