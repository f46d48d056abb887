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
