data "identity_groups" "acme" {
  organization = "Acme"
}

output "acme_groups" {
  value = [for g in data.identity_groups.acme.groups : g.full_name]
}
