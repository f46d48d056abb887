terraform {
  required_providers {
    identity = {
      source = "seed/identity"
    }
  }
}

# Log in with a username and password (or IDENTITY_USERNAME / IDENTITY_PASSWORD).
provider "identity" {
  endpoint = "http://127.0.0.1:8080" # or IDENTITY_ENDPOINT
  username = "system"
  password = var.identity_password
}

# Or use a session or third-party token (or IDENTITY_TOKEN):
#
# provider "identity" {
#   endpoint = "https://identity.example.com"
#   token    = var.identity_token
# }

variable "identity_password" {
  type      = string
  sensitive = true
}
