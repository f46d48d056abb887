// Package catalog holds the identity domain's shared rules: built-in roles,
// the permission catalogue (operations and the scopes each is valid on) and
// the input patterns. The server enforces them and the provider checks them at
// plan time, so both read this one package and can never disagree.
package catalog

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Role levels: lower means more privilege.
const (
	MinLevel = 0
	MaxLevel = 1000
)

// Built-in role names.
const (
	RoleSudo       = "sudo"
	RoleAdmin      = "admin"
	RoleSupervisor = "supervisor"
	RoleOperator   = "operator"
	RoleAuditor    = "auditor"
	RoleGuest      = "guest"
)

// DefaultRole is the role a user gets when none is given.
const DefaultRole = RoleGuest

// SystemUsername is the protected bootstrap superuser.
const SystemUsername = "system"

// BuiltinRole is a role that always exists with a fixed level.
type BuiltinRole struct {
	Name        string
	Level       int
	Description string
}

// BuiltinRoles lists the built-in roles, most privileged first.
var BuiltinRoles = []BuiltinRole{
	{RoleSudo, 0, "Unrestricted superuser."},
	{RoleAdmin, 1, "Administers users, groups, roles and permissions."},
	{RoleSupervisor, 2, "Manages users of lower privilege."},
	{RoleOperator, 10, "Operates systems; no identity administration."},
	{RoleAuditor, 100, "Reads identities, permissions and the audit log."},
	{RoleGuest, 256, "Minimal access: may read and change only itself."},
}

// IsBuiltinRole reports whether name is one of the built-in roles.
func IsBuiltinRole(name string) bool {
	for _, r := range BuiltinRoles {
		if r.Name == name {
			return true
		}
	}
	return false
}

// Levels needed by the authorization rules.
const (
	LevelRead        = 100 // read users, groups, roles, permissions, audit
	LevelManageUsers = 2   // create, change, delete users
	LevelAdmin       = 1   // roles, groups, memberships, permissions
	LevelSudo        = 0   // third-party tokens
)

// Input limits.
const (
	PasswordMinLength    = 8
	PasswordMaxLength    = 128
	EmailMaxLength       = 254
	NameMaxLength        = 128 // first_name, last_name, organization, group name
	DescriptionMaxLength = 1024
	AttributeMaxCount    = 64
	AttributeValueMax    = 1024
	ScopeKeyMaxLength    = 128
)

// Patterns, as strings so documentation can quote them.
const (
	UsernamePatternText     = `^[A-Za-z0-9._@-]{1,64}$`
	RoleNamePatternText     = `^[a-z][a-z0-9_-]{0,62}$`
	GroupNamePatternText    = `^[A-Za-z0-9](?:[A-Za-z0-9 ._@-]{0,126}[A-Za-z0-9._@-])?$`
	AttributeKeyPatternText = `^[A-Za-z_][A-Za-z0-9_.-]{0,63}$`
	ScopeKeyPatternText     = `^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`
	IDPatternText           = `^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`
)

// Compiled patterns.
var (
	UsernamePattern     = regexp.MustCompile(UsernamePatternText)
	RoleNamePattern     = regexp.MustCompile(RoleNamePatternText)
	GroupNamePattern    = regexp.MustCompile(GroupNamePatternText)
	AttributeKeyPattern = regexp.MustCompile(AttributeKeyPatternText)
	ScopeKeyPattern     = regexp.MustCompile(ScopeKeyPatternText)
	IDPattern           = regexp.MustCompile(IDPatternText)
)

// ValidateID returns a message describing why id is not an object id (a UUID), or "".
func ValidateID(id string) string {
	if !IDPattern.MatchString(id) {
		return "must be an id assigned by the server: a UUID such as 5b0c6a3e-8f7d-4c1e-9a2b-3d4e5f6a7b8c"
	}
	return ""
}

// ValidateUsername returns a message describing why name is not a valid username, or "".
func ValidateUsername(name string) string {
	if !UsernamePattern.MatchString(name) {
		return fmt.Sprintf("must be 1-64 characters of letters, digits, '.', '_', '@' or '-' (pattern %s)", UsernamePatternText)
	}
	return ""
}

// ValidateRoleName returns a message describing why name is not a valid role name, or "".
func ValidateRoleName(name string) string {
	if !RoleNamePattern.MatchString(name) {
		return fmt.Sprintf("must start with a lowercase letter followed by up to 62 lowercase letters, digits, '_' or '-' (pattern %s)", RoleNamePatternText)
	}
	return ""
}

// ValidateLevel returns a message describing why level is out of range, or "".
func ValidateLevel(level int64) string {
	if level < MinLevel || level > MaxLevel {
		return fmt.Sprintf("must be between %d and %d", MinLevel, MaxLevel)
	}
	return ""
}

// GroupFullName is a group's unique name: `Organization:Name`, or `Name`
// when the group has no organization.
func GroupFullName(organization, name string) string {
	if organization == "" {
		return name
	}
	return organization + ":" + name
}

// ValidateGroupName returns a message describing why name is not a valid group
// name or organization, or "". The colon is reserved as the separator of the full name.
func ValidateGroupName(name string) string {
	if !GroupNamePattern.MatchString(name) {
		return fmt.Sprintf("must be 1-128 characters of letters, digits, spaces, '.', '_', '@' or '-', not starting or ending with a space (pattern %s)", GroupNamePatternText)
	}
	return ""
}

// ValidateEmail returns a message describing why email is not a plain address, or "".
func ValidateEmail(email string) string {
	if email == "" {
		return "must not be empty"
	}
	if len(email) > EmailMaxLength {
		return fmt.Sprintf("must be at most %d characters", EmailMaxLength)
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || addr.Name != "" {
		return "must be a plain email address such as user@example.com"
	}
	at := strings.LastIndexByte(email, '@')
	local, domain := email[:at], email[at+1:]
	if local == "" || strings.ContainsAny(email, " \"\\()<>,;:[]") {
		return "must be a plain email address such as user@example.com"
	}
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return "must have a domain with a dot, such as example.com"
	}
	return ""
}

// ValidatePassword returns a message describing why password is not acceptable, or "".
// Length counts characters (runes), never bytes, and nothing is ever truncated.
func ValidatePassword(password string) string {
	return ValidatePasswordLength(password, PasswordMinLength)
}

// ValidateText checks a free-text field (names, organization, description):
// valid UTF-8, at most max characters, and no control characters (tab and
// newline are allowed only when multiline is set).
func ValidateText(s string, maxLen int, multiline bool) string {
	if !utf8.ValidString(s) {
		return "must be valid UTF-8"
	}
	if utf8.RuneCountInString(s) > maxLen {
		return fmt.Sprintf("must be at most %d characters", maxLen)
	}
	for _, r := range s {
		if multiline && (r == '\n' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) {
			return "must not contain control characters"
		}
	}
	return ""
}

// ValidateAttributes checks a user's attribute map and returns messages keyed by attribute key.
func ValidateAttributes(attrs map[string]string) map[string]string {
	problems := map[string]string{}
	if len(attrs) > AttributeMaxCount {
		problems[""] = fmt.Sprintf("at most %d attributes are allowed", AttributeMaxCount)
	}
	for k, v := range attrs {
		if !AttributeKeyPattern.MatchString(k) {
			problems[k] = fmt.Sprintf("key must match %s", AttributeKeyPatternText)
			continue
		}
		if msg := ValidateText(v, AttributeValueMax, false); msg != "" {
			problems[k] = "value " + msg
		}
	}
	return problems
}
