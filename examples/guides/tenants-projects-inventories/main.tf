# Acme is a tenant with a project "web" and an inventory "prod".
resource "identity_group" "acme_admins" {
  name         = "Admins"
  organization = "Acme"
}

resource "identity_group" "acme_web_team" {
  name         = "Web"
  organization = "Acme"
}

resource "identity_group" "acme_release_managers" {
  name         = "Release Managers"
  organization = "Acme"
}

# Tenant administrators: they delegate within tenant:acme. A delegate hands on
# only what it holds, so the operations it may grant are granted to it too.
resource "identity_permission" "acme_admins" {
  for_each = toset(["ADMIN_TENANT", "ADMIN_PROJECT", "ADMIN_INVENTORY", "VIEW_PROJECT", "VIEW_INVENTORY", "CREATE_PROJECT", "CREATE_INVENTORY"])

  operation = each.key
  scope     = "tenant:acme"
  group_id  = identity_group.acme_admins.id
}

# The web team works on one project of the tenant.
resource "identity_permission" "web_team_modify" {
  operation = "MODIFY_PROJECT"
  scope     = "tenant:acme/project:web"
  group_id  = identity_group.acme_web_team.id
}

# Release managers deploy to the production inventory, and only they.
resource "identity_permission" "release_managers_deploy" {
  operation = "DEPLOY_INVENTORY"
  scope     = "tenant:acme/inventory:prod"
  group_id  = identity_group.acme_release_managers.id
}

# Read-only access to every project of every tenant, for an auditing role.
resource "identity_permission" "auditors_view_projects" {
  operation = "VIEW_PROJECT"
  scope     = "global"
  role      = "auditor"
}

# Ask the server what a grant means for one user.
data "identity_access" "alice_modifies_web" {
  user_id   = identity_user.alice.id
  operation = "MODIFY_PROJECT"
  scope     = "tenant:acme/project:web"

  depends_on = [identity_permission.web_team_modify]
}
