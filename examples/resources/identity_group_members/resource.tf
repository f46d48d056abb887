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

# Switching a group from identity_group_membership to this resource: a moved
# block turns the single membership into a set of one without any change on
# the server (list the same user in user_ids).
resource "identity_group_members" "operators" {
  group_id = identity_group.operators.id
  user_ids = [identity_user.carol.id]
}

moved {
  from = identity_group_membership.carol_operators
  to   = identity_group_members.operators
}
