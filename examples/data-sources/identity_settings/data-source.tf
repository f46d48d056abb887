data "identity_settings" "current" {}

output "self_registration_open" {
  value = data.identity_settings.current.self_registration
}
