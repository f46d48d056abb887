package catalog

import (
	"fmt"
	"strings"
	"testing"
)

// validCase is one input to a Validate* function: want is "" when the input
// is accepted, else a substring of the message.
type validCase struct {
	in   string
	want string
}

func checkValidator(t *testing.T, name string, validate func(string) string, cases []validCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s(%q)", name, c.in), func(t *testing.T) {
			got := validate(c.in)
			if c.want == "" {
				if got != "" {
					t.Fatalf("refused: %s", got)
				}
				return
			}
			if got == "" || !strings.Contains(got, c.want) {
				t.Fatalf("message %q, want one containing %q", got, c.want)
			}
		})
	}
}

func TestValidateID(t *testing.T) {
	checkValidator(t, "ValidateID", ValidateID, []validCase{
		{"5b0c6a3e-8f7d-4c1e-9a2b-3d4e5f6a7b8c", ""},
		{"5B0C6A3E-8F7D-4C1E-9A2B-3D4E5F6A7B8C", ""},
		{"", "must be an id assigned by the server"},
		{"5b0c6a3e8f7d4c1e9a2b3d4e5f6a7b8c", "UUID"},
		{"{5b0c6a3e-8f7d-4c1e-9a2b-3d4e5f6a7b8c}", "UUID"},
		{"5b0c6a3e-8f7d-4c1e-9a2b-3d4e5f6a7b8g", "UUID"},
		{"5b0c6a3e-8f7d-4c1e-9a2b-3d4e5f6a7b8c ", "UUID"},
		{"alice", "UUID"},
	})
}

func TestValidateUsername(t *testing.T) {
	checkValidator(t, "ValidateUsername", ValidateUsername, []validCase{
		{"alice", ""},
		{"Alice.B_c-d@example.com", ""},
		{"a", ""},
		{strings.Repeat("a", 64), ""},
		{strings.Repeat("a", 65), "must be 1-64 characters"},
		{"", "must be 1-64 characters"},
		{"al ice", "pattern"},
		{"alice:x", "pattern"},
		{"alicé", "pattern"},
		{"alice\n", "pattern"},
	})
}

func TestValidateRoleName(t *testing.T) {
	checkValidator(t, "ValidateRoleName", ValidateRoleName, []validCase{
		{"deployer", ""},
		{"a", ""},
		{"ops_team-2", ""},
		{"a" + strings.Repeat("b", 62), ""},
		{"a" + strings.Repeat("b", 63), "must start with a lowercase letter"},
		{"", "must start with a lowercase letter"},
		{"Deployer", "must start with a lowercase letter"},
		{"2fa", "must start with a lowercase letter"},
		{"_x", "must start with a lowercase letter"},
		{"ops team", "pattern"},
	})
}

func TestValidateLevel(t *testing.T) {
	for _, c := range []struct {
		in int64
		ok bool
	}{{0, true}, {1, true}, {1000, true}, {-1, false}, {1001, false}, {1 << 40, false}} {
		got := ValidateLevel(c.in)
		if (got == "") != c.ok {
			t.Errorf("ValidateLevel(%d) = %q, want ok=%v", c.in, got, c.ok)
		}
		if !c.ok && got != "must be between 0 and 1000" {
			t.Errorf("ValidateLevel(%d) = %q", c.in, got)
		}
	}
}

func TestGroupFullName(t *testing.T) {
	for _, c := range []struct{ org, name, want string }{
		{"", "Admins", "Admins"},
		{"Acme", "Admins", "Acme:Admins"},
		{"My Company", "Dev Team", "My Company:Dev Team"},
	} {
		if got := GroupFullName(c.org, c.name); got != c.want {
			t.Errorf("GroupFullName(%q, %q) = %q, want %q", c.org, c.name, got, c.want)
		}
	}
}

func TestValidateGroupName(t *testing.T) {
	checkValidator(t, "ValidateGroupName", ValidateGroupName, []validCase{
		{"Admins", ""},
		{"Dev Team", ""},
		{"a", ""},
		{"a.b_c-d@e", ""},
		{strings.Repeat("g", 128), ""},
		{strings.Repeat("g", 129), "must be 1-128 characters"},
		{"", "must be 1-128 characters"},
		{" Admins", "not starting or ending with a space"},
		{"Admins ", "not starting or ending with a space"},
		{"Acme:Admins", "pattern"},
		{"Admins\t", "pattern"},
		{"Équipe", "pattern"},
	})
}

func TestValidateEmail(t *testing.T) {
	checkValidator(t, "ValidateEmail", ValidateEmail, []validCase{
		{"user@example.com", ""},
		{"first.last+tag@sub.example.co", ""},
		{"", "must not be empty"},
		{strings.Repeat("a", 243) + "@example.com", "must be at most 254 characters"},
		{"user", "plain email address"},
		{"User <user@example.com>", "plain email address"},
		{"user@example.com ", "plain email address"},
		{"@example.com", "plain email address"},
		{"a b@example.com", "plain email address"},
		{"user@localhost", "must have a domain with a dot"},
		{"user@.example.com", "plain email address"},
		{"user@example.com.", "plain email address"},
		{"user@example", "must have a domain with a dot"},
		{"user@example..com", "plain email address"},
	})
}

func TestValidatePassword(t *testing.T) {
	checkValidator(t, "ValidatePassword", ValidatePassword, []validCase{
		{"12345678", ""},
		{strings.Repeat("p", 128), ""},
		{strings.Repeat("é", 8), ""}, // 8 characters, 16 bytes
		{strings.Repeat("é", 128), ""},
		{"1234567", "must be between 8 and 128 characters"},
		{"", "must be between 8 and 128 characters"},
		{strings.Repeat("p", 129), "must be between 8 and 128 characters"},
		{strings.Repeat("é", 129), "must be between 8 and 128 characters"},
		{"12345678\xff", "must be valid UTF-8"},
	})
}

func TestValidateText(t *testing.T) {
	for _, c := range []struct {
		in        string
		max       int
		multiline bool
		want      string
	}{
		{"", 10, false, ""},
		{"Ada Lovelace", 128, false, ""},
		{"ééééé", 5, false, ""},
		{"éééééé", 5, false, "must be at most 5 characters"},
		{"line\nnext", 100, true, ""},
		{"tab\there", 100, true, ""},
		{"line\nnext", 100, false, "must not contain control characters"},
		{"bell\a", 100, true, "must not contain control characters"},
		{"nul\x00", 100, true, "must not contain control characters"},
		{"bad\xff", 100, false, "must be valid UTF-8"},
	} {
		got := ValidateText(c.in, c.max, c.multiline)
		if (c.want == "" && got != "") || (c.want != "" && !strings.Contains(got, c.want)) || (c.want != "" && got == "") {
			t.Errorf("ValidateText(%q, %d, %v) = %q, want %q", c.in, c.max, c.multiline, got, c.want)
		}
	}
}

func TestValidateAttributes(t *testing.T) {
	many := map[string]string{}
	for i := range AttributeMaxCount + 1 {
		many[fmt.Sprintf("k%d", i)] = "v"
	}
	for _, c := range []struct {
		name  string
		attrs map[string]string
		want  map[string]string // key -> substring of its message
	}{
		{"empty", map[string]string{}, nil},
		{"nil", nil, nil},
		{"valid", map[string]string{"team": "web", "cost_center.id": "42", "_x-y": ""}, nil},
		{"bad key", map[string]string{"1team": "x"}, map[string]string{"1team": "key must match"}},
		{"key with space", map[string]string{"a b": "x"}, map[string]string{"a b": "key must match"}},
		{"empty key", map[string]string{"": "x"}, map[string]string{"": "key must match"}},
		{"long value", map[string]string{"team": strings.Repeat("v", AttributeValueMax+1)}, map[string]string{"team": "value must be at most 1024 characters"}},
		{"control in value", map[string]string{"team": "a\nb"}, map[string]string{"team": "value must not contain control characters"}},
		{"too many", many, map[string]string{"": "at most 64 attributes"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := ValidateAttributes(c.attrs)
			if len(got) != len(c.want) {
				t.Fatalf("problems %v, want %v", got, c.want)
			}
			for k, sub := range c.want {
				if !strings.Contains(got[k], sub) {
					t.Fatalf("problem for %q is %q, want %q", k, got[k], sub)
				}
			}
		})
	}
}

func TestBuiltinRoles(t *testing.T) {
	want := map[string]int{RoleSudo: 0, RoleAdmin: 1, RoleSupervisor: 2, RoleOperator: 10, RoleAuditor: 100, RoleGuest: 256}
	if len(BuiltinRoles) != len(want) {
		t.Fatalf("%d built-in roles", len(BuiltinRoles))
	}
	for i, r := range BuiltinRoles {
		if want[r.Name] != r.Level || !IsBuiltinRole(r.Name) || ValidateRoleName(r.Name) != "" {
			t.Errorf("built-in role %+v", r)
		}
		if i > 0 && BuiltinRoles[i-1].Level >= r.Level {
			t.Errorf("built-in roles are not most privileged first at %s", r.Name)
		}
	}
	if IsBuiltinRole("deployer") || IsBuiltinRole("Sudo") {
		t.Error("IsBuiltinRole accepts a custom name")
	}
}
