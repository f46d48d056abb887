package catalog

import (
	"fmt"
	"strings"
)

// Scope kinds.
const (
	ScopeGlobal    = "global"
	ScopeTenant    = "tenant"
	ScopeProject   = "project"
	ScopeInventory = "inventory"
)

// ScopeKinds lists every scope kind in order of breadth.
var ScopeKinds = []string{ScopeGlobal, ScopeTenant, ScopeProject, ScopeInventory}

// ScopeFormText describes the accepted scope forms.
const ScopeFormText = "`global`, `tenant:KEY`, `project:KEY`, `inventory:KEY`, `tenant:KEY/project:KEY` or `tenant:KEY/inventory:KEY`"

// scopeForms is ScopeFormText for error messages, without Markdown.
var scopeForms = strings.ReplaceAll(ScopeFormText, "`", "")

// Scope is a parsed scope. Scopes form a tree: global contains every tenant
// and every other scope; tenant:T contains the projects and inventories of
// that tenant (tenant:T/project:P, tenant:T/inventory:I). A project:P or
// inventory:I belongs to no tenant and only global contains it.
//
// Kind is one of ScopeKinds; a tenant's project is of kind project, so the
// operations valid on it are those of any project. Key is empty for global.
// Tenant is the key of the tenant a project or an inventory belongs to, and
// empty otherwise. Keys compare exactly (case-sensitively).
type Scope struct {
	Kind   string
	Key    string
	Tenant string
}

// Global is the scope that contains every other.
var Global = Scope{Kind: ScopeGlobal}

// String renders the scope in its canonical wire form; ParseScope(s.String())
// returns s for every scope ParseScope accepts.
func (s Scope) String() string {
	switch {
	case s.Kind == ScopeGlobal:
		return ScopeGlobal
	case s.Tenant != "":
		return ScopeTenant + ":" + s.Tenant + "/" + s.Kind + ":" + s.Key
	}
	return s.Kind + ":" + s.Key
}

// ParseScope parses a scope in one of the forms of ScopeFormText. Kinds are
// lowercase; keys match ScopeKeyPatternText, so neither ':' nor '/' can
// appear inside a key and every scope has exactly one spelling.
func ParseScope(s string) (Scope, error) {
	if s == ScopeGlobal {
		return Global, nil
	}
	outer, inner, nested := strings.Cut(s, "/")
	if !nested {
		return parseScopePart(s, s)
	}
	if strings.Contains(inner, "/") {
		return Scope{}, fmt.Errorf("scope %q has more than two parts; a tenant's project or inventory is written tenant:KEY/project:KEY or tenant:KEY/inventory:KEY", s)
	}
	tenant, err := parseScopePart(s, outer)
	if err != nil {
		return Scope{}, err
	}
	if tenant.Kind != ScopeTenant {
		return Scope{}, fmt.Errorf("scope %q starts with %q, but only a tenant contains other scopes: write tenant:KEY/project:KEY or tenant:KEY/inventory:KEY", s, outer)
	}
	child, err := parseScopePart(s, inner)
	if err != nil {
		return Scope{}, err
	}
	if child.Kind != ScopeProject && child.Kind != ScopeInventory {
		return Scope{}, fmt.Errorf("scope %q puts a %s inside a tenant; a tenant contains only projects and inventories", s, child.Kind)
	}
	child.Tenant = tenant.Key
	return child, nil
}

// parseScopePart parses one `kind:KEY` part (or global) of the scope whole.
func parseScopePart(whole, part string) (Scope, error) {
	if part == ScopeGlobal {
		return Global, nil
	}
	kind, key, ok := strings.Cut(part, ":")
	if !ok {
		return Scope{}, fmt.Errorf("scope %q must be one of %s", whole, scopeForms)
	}
	switch kind {
	case ScopeTenant, ScopeProject, ScopeInventory:
	default:
		return Scope{}, fmt.Errorf("scope kind %q is unknown; valid kinds are global, tenant, project and inventory", kind)
	}
	if !ScopeKeyPattern.MatchString(key) {
		return Scope{}, fmt.Errorf("scope key %q must be 1-%d letters, digits, '.', '_' or '-', starting with a letter or digit", key, ScopeKeyMaxLength)
	}
	return Scope{Kind: kind, Key: key}, nil
}

// Contains reports whether a grant on s applies to t: s is t, or s is global,
// or s is tenant:T and t is a project or an inventory of tenant T.
func (s Scope) Contains(t Scope) bool {
	switch {
	case s.Kind == ScopeGlobal || s == t:
		return true
	case s.Kind == ScopeTenant:
		return t.Tenant == s.Key && t.Kind != ScopeTenant && t.Kind != ScopeGlobal
	}
	return false
}

// Ancestors returns s and every scope that contains it, broadest first:
// [global] for global, [global, tenant:T] for tenant:T,
// [global, tenant:T, tenant:T/project:P] for a tenant's project and
// [global, project:P] for a project of no tenant. A grant applies to s
// exactly when its scope is in this list, so a lookup by scope can use an
// index with "scope IN (...)".
func (s Scope) Ancestors() []Scope {
	switch {
	case s.Kind == ScopeGlobal:
		return []Scope{Global}
	case s.Tenant != "":
		return []Scope{Global, {Kind: ScopeTenant, Key: s.Tenant}, s}
	}
	return []Scope{Global, s}
}

// Depth is the number of scopes that strictly contain s: 0 for global, 1 for
// a tenant or a project or inventory of no tenant, 2 for a tenant's project or
// inventory.
func (s Scope) Depth() int { return len(s.Ancestors()) - 1 }
