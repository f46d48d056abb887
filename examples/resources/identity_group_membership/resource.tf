# One membership per resource; other members of the group are left alone.
# Do not also manage this group with identity_group_members.
resource "identity_group_membership" "alice_developers" {
  group_id = identity_group.developers.id
  user_id  = identity_user.alice.id
}
