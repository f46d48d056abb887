import {
  to = identity_group_membership.alice_developers
  id = "0f1e2d3c-4b5a-4697-8879-6a5b4c3d2e1f/5b0c6f3e-8a1d-4c2b-9e7f-0a1b2c3d4e5f" # group_id/user_id
}
