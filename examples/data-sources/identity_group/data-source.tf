# By name and organization (case-insensitive)...
data "identity_group" "developers" {
  name         = "Developers"
  organization = "Acme"
}

# ...or by id.
data "identity_group" "by_id" {
  id = "0f1e2d3c-4b5a-4697-8879-6a5b4c3d2e1f"
}

output "developers_members" {
  value = data.identity_group.developers.member_count
}
