# The identity_permissions data source lists grants with their ids.
import {
  to = identity_permission.alice_deploys_prod
  id = "9a8b7c6d-5e4f-4321-8765-43210fedcba9" # the permission's id
}
