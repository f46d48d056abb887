import {
  to = identity_group_members.auditors
  id = "Acme:Auditors" # the group's full name or id
}
