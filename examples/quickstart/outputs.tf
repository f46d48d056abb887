locals {
  # Readable names for permission principals: users, groups and roles.
  principal_names = merge(
    { for u in [identity_user.alice, identity_user.bob, identity_user.carol, identity_user.dave] : u.id => "user ${u.username}" },
    { for g in [identity_group.platform, identity_group.release_managers] : g.id => "group ${g.full_name}" },
    { for r in ["auditor", identity_role.deployer.name, identity_role.reviewer.name] : r => "role ${r}" },
  )
}

output "roles" {
  description = "Custom roles and their levels."
  value = {
    (identity_role.deployer.name) = identity_role.deployer.level
    (identity_role.reviewer.name) = identity_role.reviewer.level
  }
}

output "users" {
  description = "User ids by username."
  value = {
    for u in [identity_user.alice, identity_user.bob, identity_user.carol, identity_user.dave] : u.username => u.id
  }
}

output "groups" {
  description = "Groups by full name, with the ids of their managed members."
  value = {
    (identity_group.platform.full_name)         = sort([for m in identity_group_membership.platform : m.user_id])
    (identity_group.release_managers.full_name) = sort(identity_group_members.release_managers.user_ids)
  }
}

output "permissions" {
  description = "Every grant, as operation on scope to principal."
  value = [
    for p in [
      identity_permission.auditors_view_everything,
      identity_permission.platform_admins_tenant,
      identity_permission.bob_views_web,
      identity_permission.release_managers_modify_web,
      identity_permission.deployers_deploy_prod,
    ] : format("%s on %s to %s", p.operation, p.scope, local.principal_names[coalesce(p.user_id, p.group_id, p.role)])
  ]
}

output "prod_grants" {
  description = "Grants on inventory:prod, read back through the identity_permissions data source."
  value       = [for p in data.identity_permissions.prod.permissions : "${p.operation} to ${lookup(local.principal_names, coalesce(p.user_id, p.group_id, p.role), "?")}"]
}

output "alice_by_email" {
  description = "Alice, found by email through the identity_user data source."
  value = {
    id   = data.identity_user.alice.id
    role = data.identity_user.alice.role
  }
}

output "ci_token_id" {
  description = "The CI token's id."
  value       = identity_third_party_token.ci.id
}

output "ci_token" {
  description = "The CI token's secret: terraform output -raw ci_token."
  value       = identity_third_party_token.ci.token
  sensitive   = true
}
