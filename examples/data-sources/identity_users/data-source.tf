# Every operator of the Acme organization with an acme.example address.
data "identity_users" "acme_operators" {
  role         = "operator"
  organization = "Acme"
  email_suffix = "@acme.example"
}

output "acme_operator_ids" {
  value = data.identity_users.acme_operators.ids
}

output "acme_operator_usernames" {
  value = [for u in data.identity_users.acme_operators.users : u.username]
}

# Users with no login in the last 90 days, including those who never signed in.
data "identity_users" "inactive" {
  inactive_since = timeadd(plantimestamp(), "-2160h")
}

output "inactive_usernames" {
  value = [for u in data.identity_users.inactive.users : u.username]
}
