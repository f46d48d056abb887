# Exactly one of id, email or username; email and username match case-insensitively.
data "identity_user" "alice" {
  email = "Alice@Example.com"
}

output "alice_id" {
  value = data.identity_user.alice.id
}
