# A short-lived auditor token for a second provider configuration: the
# review below runs with the auditor's privileges only, and the token is
# revoked when Terraform closes it (and expires after ttl in any case).
ephemeral "identity_token" "auditor" {
  role        = "auditor"
  ttl         = "30m"
  description = "terraform run: access review"
}

provider "identity" {
  alias    = "auditor"
  endpoint = "https://identity.example.com"
  token    = ephemeral.identity_token.auditor.token
}

data "identity_users" "admins" {
  provider = identity.auditor
  role     = "admin"
}

output "admin_count" {
  value = length(data.identity_users.admins.ids)
}
