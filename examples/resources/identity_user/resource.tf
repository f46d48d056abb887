variable "alice_password" {
  type      = string
  sensitive = true
  ephemeral = true # Terraform 1.10+: never stored; pairs with a write-only attribute
}

resource "identity_user" "alice" {
  username     = "alice"
  email        = "alice@example.com"
  first_name   = "Alice"
  last_name    = "Liddell"
  organization = "Wonderland"
  role         = "operator"

  attributes = {
    team = "blue"
  }

  # Write-only (Terraform 1.11+): never stored in plan or state.
  # Bump the version to set the password again.
  password_wo         = var.alice_password
  password_wo_version = 1
}

# A user without a password cannot log in until one is set.
resource "identity_user" "bob" {
  username = "bob"
  email    = "bob@example.com"
  disabled = true
}
