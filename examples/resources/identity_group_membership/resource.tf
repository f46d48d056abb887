# One membership per resource; other members of the group are left alone.
# A group whose members an identity_group_members resource manages refuses it:
# the plan fails naming the group (or, for a group created in the same apply,
# the apply fails with the server's conflict).
resource "identity_group_membership" "alice_developers" {
  group_id = identity_group.developers.id
  user_id  = identity_user.alice.id
}

# An identity_group_members whose set holds exactly one user, applied with
# exclusive = false first, can move to this resource with a moved block and no
# change; a larger set, or a set that still marks its group, cannot.
moved {
  from = identity_group_members.reviewers
  to   = identity_group_membership.dave_reviewers
}

resource "identity_group_membership" "dave_reviewers" {
  group_id = identity_group.reviewers.id
  user_id  = identity_user.dave.id
}
