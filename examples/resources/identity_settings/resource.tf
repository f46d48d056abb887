# Open self-registration with the guest role, ask for longer passwords and
# shorter sessions. Settings left out keep the server's values; destroying
# this resource restores the server's defaults.
resource "identity_settings" "this" {
  self_registration        = true
  self_registration_role   = "guest"
  password_min_length      = 12
  session_ttl              = "8h"
  login_throttle_threshold = 5
  login_throttle_window    = "15m"
}
