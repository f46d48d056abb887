import {
  to = identity_group.developers
  id = "Acme:Developers" # a full name or a group id
}
