resource "identity_role" "deployer" {
  name        = "deployer"
  level       = 50
  description = "Runs deployments; may not administer identities."
}
