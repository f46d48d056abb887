import {
  to = identity_group_membership.alice_developers
  id = "Acme:Developers/alice" # group/user: the group's id or full name, the user's id or username
}
