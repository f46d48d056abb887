# The whole member set: anyone else added to the group is removed on apply.
# The group is marked on the server as managed as a set (exclusive defaults to
# true), so an identity_group_membership in it fails at plan time (or, for a
# group created in the same apply, at apply) instead of fighting this resource.
# Destroying this resource empties the group and clears the mark.
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
# block turns the single membership into a set of one without changing a
# member (list the same user in user_ids); the plan shows an in-place update of
# exclusive alone, which marks the group.
resource "identity_group_members" "operators" {
  group_id = identity_group.operators.id
  user_ids = [identity_user.carol.id]
}

moved {
  from = identity_group_membership.carol_operators
  to   = identity_group_members.operators
}

# A set that leaves its group unmarked: per-user memberships are not refused
# (and fight this resource). Apply this before moving the resource to
# identity_group_membership.
resource "identity_group_members" "reviewers" {
  group_id  = identity_group.reviewers.id
  user_ids  = [identity_user.dave.id]
  exclusive = false
}
