resource "identity_group" "developers" {
  name         = "Developers"
  organization = "Acme" # full name "Acme:Developers"
  description  = "Everyone who writes code at Acme"
}

# A group without an organization: full name "Auditors".
resource "identity_group" "auditors" {
  name = "Auditors"
}
