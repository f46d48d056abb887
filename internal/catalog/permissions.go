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

// Operation is a grantable operation and the scope kinds it is valid on.
type Operation struct {
	Name   string
	Scopes []string
}

// Operations is the permission catalogue.
var Operations = []Operation{
	{"SUPER_ADMIN", []string{ScopeGlobal}},
	{"CREATE_USER", []string{ScopeGlobal}},
	{"MODIFY_USER", []string{ScopeGlobal}},
	{"ADMIN_TENANT", []string{ScopeGlobal, ScopeTenant}},
	{"MODIFY_TENANT", []string{ScopeGlobal, ScopeTenant}},
	{"VIEW_SECRET_CONTENT_TENANT", []string{ScopeGlobal, ScopeTenant}},
	{"CREATE_PROJECT", []string{ScopeGlobal, ScopeTenant}},
	{"CREATE_INVENTORY", []string{ScopeGlobal, ScopeTenant}},
	{"VIEW_PROJECT", []string{ScopeGlobal, ScopeTenant, ScopeProject}},
	{"MODIFY_PROJECT", []string{ScopeGlobal, ScopeTenant, ScopeProject}},
	{"ADMIN_PROJECT", []string{ScopeGlobal, ScopeTenant, ScopeProject}},
	{"VIEW_INVENTORY", []string{ScopeGlobal, ScopeTenant, ScopeInventory}},
	{"MODIFY_INVENTORY", []string{ScopeGlobal, ScopeTenant, ScopeInventory}},
	{"ADMIN_INVENTORY", []string{ScopeGlobal, ScopeTenant, ScopeInventory}},
	{"DEPLOY_INVENTORY", []string{ScopeGlobal, ScopeTenant, ScopeInventory}},
	{"VIEW_SECRET_CONTENT_INVENTORY", []string{ScopeGlobal, ScopeTenant, ScopeInventory}},
}

// OperationNames returns every operation name in catalogue order.
func OperationNames() []string {
	names := make([]string, len(Operations))
	for i, op := range Operations {
		names[i] = op.Name
	}
	return names
}

// LookupOperation returns the operation with that exact name.
func LookupOperation(name string) (Operation, bool) {
	for _, op := range Operations {
		if op.Name == name {
			return op, true
		}
	}
	return Operation{}, false
}

// Scope is a parsed scope: Kind is one of ScopeKinds; Key is empty for global.
type Scope struct {
	Kind string
	Key  string
}

// String renders the scope in its wire form.
func (s Scope) String() string {
	if s.Kind == ScopeGlobal {
		return ScopeGlobal
	}
	return s.Kind + ":" + s.Key
}

// ScopeFormText describes the accepted scope forms.
const ScopeFormText = "`global`, `tenant:KEY`, `project:KEY` or `inventory:KEY`"

// ParseScope parses `global`, `tenant:KEY`, `project:KEY` or `inventory:KEY`.
func ParseScope(s string) (Scope, error) {
	if s == ScopeGlobal {
		return Scope{Kind: ScopeGlobal}, nil
	}
	kind, key, ok := strings.Cut(s, ":")
	if !ok {
		return Scope{}, fmt.Errorf("scope %q must be one of global, tenant:KEY, project:KEY or inventory:KEY", s)
	}
	switch kind {
	case ScopeTenant, ScopeProject, ScopeInventory:
	default:
		return Scope{}, fmt.Errorf("scope kind %q is unknown; valid kinds are global, tenant, project and inventory", kind)
	}
	if !ScopeKeyPattern.MatchString(key) {
		return Scope{}, fmt.Errorf("scope key %q must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit", key)
	}
	return Scope{Kind: kind, Key: key}, nil
}

// ValidateOperation returns an error listing the valid operations when name is unknown.
func ValidateOperation(name string) error {
	if _, ok := LookupOperation(name); !ok {
		return fmt.Errorf("operation %q is unknown; valid operations are %s", name, strings.Join(OperationNames(), ", "))
	}
	return nil
}

// ValidateGrant checks that operation is known and allowed on scope.
func ValidateGrant(operation string, scope Scope) error {
	op, ok := LookupOperation(operation)
	if !ok {
		return ValidateOperation(operation)
	}
	for _, k := range op.Scopes {
		if k == scope.Kind {
			return nil
		}
	}
	return fmt.Errorf("operation %s is not valid on a %s scope; it is valid on: %s", operation, scope.Kind, strings.Join(op.Scopes, ", "))
}

// AdminOperationFor returns the operation whose holder may administer
// permissions on a scope of the given kind: ADMIN_TENANT for tenant,
// ADMIN_PROJECT for project, ADMIN_INVENTORY for inventory, and "" for global.
func AdminOperationFor(kind string) string {
	switch kind {
	case ScopeTenant:
		return "ADMIN_TENANT"
	case ScopeProject:
		return "ADMIN_PROJECT"
	case ScopeInventory:
		return "ADMIN_INVENTORY"
	}
	return ""
}
