data "identity_current_user" "me" {}

# Stop early when the provider's credential cannot manage roles.
check "can_manage_roles" {
  assert {
    condition     = data.identity_current_user.me.level <= 1
    error_message = "Signed in as ${data.identity_current_user.me.kind} with role ${data.identity_current_user.me.role}; managing roles needs level 1 or lower."
  }
}
