# The whole member set: anyone else added to the group is removed on apply.
# Do not also manage this group with identity_group_membership.
resource "identity_group_members" "auditors" {
  group_id = identity_group.auditors.id
  user_ids = [
    identity_user.alice.id,
    identity_user.bob.id,
  ]
}

# Every user of an organization, kept in sync on each apply.
data "identity_users" "acme" {
  organization = "Acme"
}

resource "identity_group_members" "everyone_at_acme" {
  group_id = identity_group.developers.id
  user_ids = data.identity_users.acme.ids
}
