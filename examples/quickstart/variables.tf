variable "tenant" {
  description = "Key of the tenant the platform group administers."
  type        = string
  default     = "acme"
}

# Demo passwords: pass your own with TF_VAR_alice_password / TF_VAR_bob_password.
# Ephemeral, so they are never written to the plan or the state.
variable "alice_password" {
  description = "Alice's password (8-128 characters)."
  type        = string
  sensitive   = true
  ephemeral   = true
  default     = "correct-horse-battery-staple"
}

variable "bob_password" {
  description = "Bob's password (8-128 characters)."
  type        = string
  sensitive   = true
  ephemeral   = true
  default     = "tr0ub4dor&3-but-longer"
}

variable "ci_token_expires_at" {
  description = "When the CI token stops working (RFC 3339)."
  type        = string
  default     = "2030-01-01T00:00:00Z"
}

variable "ci_token_rotation" {
  description = "Change this value to mint a new CI token and revoke the old one."
  type        = string
  default     = "1"
}
