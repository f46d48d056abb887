# Every token that still works, including those minted outside Terraform.
data "identity_third_party_tokens" "live" {}

# Operator tokens, expired ones too.
data "identity_third_party_tokens" "operators" {
  role            = "operator"
  include_expired = true
}

# Fail the run when a token without an expiry exists.
check "tokens_expire" {
  assert {
    condition     = alltrue([for t in data.identity_third_party_tokens.live.tokens : t.expires_at != null])
    error_message = "Some third-party tokens never expire: ${join(", ", [for t in data.identity_third_party_tokens.live.tokens : t.id if t.expires_at == null])}"
  }
}
