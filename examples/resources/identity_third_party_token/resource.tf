resource "identity_third_party_token" "ci" {
  role        = "operator"
  description = "CI pipeline"
  expires_at  = "2027-01-01T00:00:00Z"

  # Change a value to mint a new secret and revoke the old one.
  rotate_when_changed = {
    rotation = "2026-q4"
  }
}

output "ci_token" {
  value     = identity_third_party_token.ci.token
  sensitive = true
}

# Scheduled rotation. A pipeline runs `terraform apply` every night; when the
# token is older than rotation_period the plan says so and replaces it. With
# create_before_destroy the new token is minted (and can be handed to its
# consumers) before the old one is revoked, so both work in between.
resource "identity_third_party_token" "deploy" {
  role            = "operator"
  description     = "deploy pipeline"
  rotation_period = "720h" # 30 days

  lifecycle {
    create_before_destroy = true
  }
}

# Rotation before expiry. Each new token expires 90 days after the run that
# mints it (ignore_changes keeps that date until the next replacement) and is
# replaced once it is within 14 days of it.
resource "identity_third_party_token" "reporting" {
  role                 = "auditor"
  description          = "reporting export"
  expires_at           = timeadd(plantimestamp(), "2160h")
  rotate_before_expiry = "336h"

  lifecycle {
    create_before_destroy = true
    ignore_changes        = [expires_at]
  }
}
