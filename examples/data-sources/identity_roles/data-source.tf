# Every custom role more privileged than an auditor, for a privilege review.
data "identity_roles" "privileged_custom" {
  builtin   = false
  max_level = 99
}

# The roles of one family, by name prefix.
data "identity_roles" "deploy" {
  name_prefix = "deploy"
}

output "privileged_custom_roles" {
  value = {
    for r in data.identity_roles.privileged_custom.roles : r.name => r.level
  }
}
