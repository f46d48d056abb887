# Everything alice holds, with the grants that give it.
data "identity_effective_permissions" "alice" {
  user_id = identity_user.alice.id
}

output "alice_holds" {
  value = [
    for p in data.identity_effective_permissions.alice.permissions :
    format("%s on %s (via %s)", p.operation, p.scope, join(", ", [for v in p.via : v.kind == "group" ? v.group_name : v.kind]))
  ]
}
