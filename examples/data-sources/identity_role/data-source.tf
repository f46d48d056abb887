data "identity_role" "operator" {
  name = "operator"
}

output "operator_level" {
  value = data.identity_role.operator.level
}
