# One membership per resource; other members of the group are left alone.
# Do not also manage this group with identity_group_members.
resource "identity_group_membership" "alice_developers" {
  group_id = identity_group.developers.id
  user_id  = identity_user.alice.id
}

# An identity_group_members whose set holds exactly one user can move to this
# resource with a moved block; a larger set cannot.
moved {
  from = identity_group_members.reviewers
  to   = identity_group_membership.dave_reviewers
}

resource "identity_group_membership" "dave_reviewers" {
  group_id = identity_group.reviewers.id
  user_id  = identity_user.dave.id
}
