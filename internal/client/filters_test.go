package client

import (
	"testing"
	"time"
)

func TestRoleFilterMatch(t *testing.T) {
	yes, no := true, false
	lvl := func(n int64) *int64 { return &n }
	roles := []Role{
		{Name: "sudo", Level: 0, Builtin: true},
		{Name: "operator", Level: 10, Builtin: true},
		{Name: "deployer", Level: 50},
		{Name: "deploy-bot", Level: 60},
		{Name: "guest", Level: 256, Builtin: true},
	}
	tests := []struct {
		name   string
		filter RoleFilter
		want   []string
	}{
		{"no filter", RoleFilter{}, []string{"sudo", "operator", "deployer", "deploy-bot", "guest"}},
		{"built-in", RoleFilter{Builtin: &yes}, []string{"sudo", "operator", "guest"}},
		{"custom", RoleFilter{Builtin: &no}, []string{"deployer", "deploy-bot"}},
		{"level range inclusive", RoleFilter{MinLevel: lvl(10), MaxLevel: lvl(50)}, []string{"operator", "deployer"}},
		{"min only", RoleFilter{MinLevel: lvl(60)}, []string{"deploy-bot", "guest"}},
		{"prefix", RoleFilter{NamePrefix: "deploy"}, []string{"deployer", "deploy-bot"}},
		{"prefix and level", RoleFilter{NamePrefix: "deploy", MaxLevel: lvl(55)}, []string{"deployer"}},
		{"nothing matches", RoleFilter{NamePrefix: "x"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, r := range roles {
				if tc.filter.Match(r) {
					got = append(got, r.Name)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
}

func TestTokenFilterMatch(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Second), now.Add(time.Second)
	tokens := map[string]Token{
		"never":   {Role: "operator"},
		"later":   {Role: "auditor", ExpiresAt: &future},
		"expired": {Role: "operator", ExpiresAt: &past},
		"exactly": {Role: "operator", ExpiresAt: &now},
	}
	tests := []struct {
		filter TokenFilter
		want   map[string]bool
	}{
		{TokenFilter{Now: now}, map[string]bool{"never": true, "later": true}},
		{TokenFilter{Now: now, IncludeExpired: true}, map[string]bool{"never": true, "later": true, "expired": true, "exactly": true}},
		{TokenFilter{Now: now, Role: "operator"}, map[string]bool{"never": true}},
		{TokenFilter{Now: now, Role: "operator", IncludeExpired: true}, map[string]bool{"never": true, "expired": true, "exactly": true}},
	}
	for _, tc := range tests {
		for name, tok := range tokens {
			if got := tc.filter.Match(tok); got != tc.want[name] {
				t.Errorf("%+v matching token %q: got %v, want %v", tc.filter, name, got, tc.want[name])
			}
		}
	}
}
