# To a user, on one inventory.
resource "identity_permission" "alice_deploys_prod" {
  operation = "DEPLOY_INVENTORY"
  scope     = "inventory:prod"
  user_id   = identity_user.alice.id
}

# To a group, on a tenant.
resource "identity_permission" "developers_view_projects" {
  operation = "VIEW_PROJECT"
  scope     = "tenant:acme"
  group_id  = identity_group.developers.id
}

# To every user of a role, everywhere.
resource "identity_permission" "auditors_view_inventories" {
  operation = "VIEW_INVENTORY"
  scope     = "global"
  role      = "auditor"
}
