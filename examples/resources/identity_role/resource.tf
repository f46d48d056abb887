resource "identity_role" "deployer" {
  name        = "deployer"
  level       = 50
  description = "Runs deployments; may not administer identities."

  # Renaming a role replaces it. With create_before_destroy the new role is
  # created and the users that refer to it move before the old one is
  # deleted; without it the old role's delete fails while users hold it.
  lifecycle {
    create_before_destroy = true
  }
}

resource "identity_user" "ci" {
  username = "ci-deployer"
  email    = "ci-deployer@example.com"
  role     = identity_role.deployer.name
}
