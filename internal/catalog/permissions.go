package catalog

import (
	"fmt"
	"strings"
)

// Operation names the rules refer to by name.
const (
	OpSuperAdmin     = "SUPER_ADMIN" // implies every operation
	OpCreateUser     = "CREATE_USER"
	OpModifyUser     = "MODIFY_USER"
	OpAdminTenant    = "ADMIN_TENANT"
	OpAdminProject   = "ADMIN_PROJECT"
	OpAdminInventory = "ADMIN_INVENTORY"
)

// Operation is a grantable operation and the scope kinds it is valid on.
type Operation struct {
	Name   string
	Scopes []string
}

// Operations is the permission catalogue.
var Operations = []Operation{
	{OpSuperAdmin, []string{ScopeGlobal}},
	{OpCreateUser, []string{ScopeGlobal}},
	{OpModifyUser, []string{ScopeGlobal}},
	{OpAdminTenant, []string{ScopeGlobal, ScopeTenant}},
	{"MODIFY_TENANT", []string{ScopeGlobal, ScopeTenant}},
	{"VIEW_SECRET_CONTENT_TENANT", []string{ScopeGlobal, ScopeTenant}},
	{"CREATE_PROJECT", []string{ScopeGlobal, ScopeTenant}},
	{"CREATE_INVENTORY", []string{ScopeGlobal, ScopeTenant}},
	{"VIEW_PROJECT", []string{ScopeGlobal, ScopeTenant, ScopeProject}},
	{"MODIFY_PROJECT", []string{ScopeGlobal, ScopeTenant, ScopeProject}},
	{OpAdminProject, []string{ScopeGlobal, ScopeTenant, ScopeProject}},
	{"VIEW_INVENTORY", []string{ScopeGlobal, ScopeTenant, ScopeInventory}},
	{"MODIFY_INVENTORY", []string{ScopeGlobal, ScopeTenant, ScopeInventory}},
	{OpAdminInventory, []string{ScopeGlobal, ScopeTenant, ScopeInventory}},
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
		return OpAdminTenant
	case ScopeProject:
		return OpAdminProject
	case ScopeInventory:
		return OpAdminInventory
	}
	return ""
}

// IsAdminOperation reports whether name is one of the ADMIN_* operations,
// which delegate the administration of permissions.
func IsAdminOperation(name string) bool {
	return name == OpAdminTenant || name == OpAdminProject || name == OpAdminInventory
}
