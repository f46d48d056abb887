import {
  to = identity_user.alice
  id = "alice" # a username or a user id
}
