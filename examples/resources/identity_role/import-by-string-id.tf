import {
  to = identity_role.deployer
  id = "deployer"
}
