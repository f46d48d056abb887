# Every grant on the production inventory, for review.
data "identity_permissions" "prod" {
  scope = "inventory:prod"
}

# Every grant made directly to one user.
data "identity_permissions" "alice" {
  user_id = identity_user.alice.id
}

output "prod_grants" {
  value = [
    for p in data.identity_permissions.prod.permissions :
    format("%s to %s", p.operation, coalesce(p.user_id, p.group_id, p.role))
  ]
}
