import {
  to = identity_group_membership.alice_developers
  id = "${identity_group.developers.id}/${identity_user.alice.id}"
}
