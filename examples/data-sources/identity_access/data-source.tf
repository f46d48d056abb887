# May alice deploy to Acme's production inventory, and through which grants?
data "identity_access" "alice_deploys_prod" {
  user_id   = identity_user.alice.id
  operation = "DEPLOY_INVENTORY"
  scope     = "tenant:acme/inventory:prod"

  # A postcondition fails the plan when the answer breaks the policy.
  lifecycle {
    postcondition {
      condition     = self.allowed
      error_message = "alice must be able to deploy to tenant:acme/inventory:prod."
    }
  }
}

output "alice_deploys_prod_via" {
  value = [for v in data.identity_access.alice_deploys_prod.via : coalesce(v.group_name, v.role, "direct grant")]
}

# A documented access policy, asserted on every plan: only members of
# Acme:Release Managers may DEPLOY_INVENTORY on tenant:acme/inventory:prod.
# (Level-0 users such as the system user hold everything; the policy is
# about everyone else.)
data "identity_group" "release_managers" {
  name         = "Release Managers"
  organization = "Acme"
}

data "identity_users" "all" {}

locals {
  # Every user but the level-0 ones.
  candidates = [for u in data.identity_users.all.users : u.id if u.role != "sudo"]
}

data "identity_access" "deploy_prod" {
  count     = length(local.candidates)
  user_id   = local.candidates[count.index]
  operation = "DEPLOY_INVENTORY"
  scope     = "tenant:acme/inventory:prod"
}

locals {
  release_managers = toset([
    for u in data.identity_users.all.users : u.id
    if contains(u.group_ids, data.identity_group.release_managers.id)
  ])
  prod_deployers = toset([for a in data.identity_access.deploy_prod : a.user_id if a.allowed])
}

# A failed check is reported as a warning and does not stop the run; use a
# postcondition (above) where a broken policy must fail the plan.
check "only_release_managers_deploy_prod" {
  assert {
    condition     = length(setsubtract(local.prod_deployers, local.release_managers)) == 0
    error_message = "Only members of Acme:Release Managers may DEPLOY_INVENTORY on tenant:acme/inventory:prod; these users may too: ${join(", ", setsubtract(local.prod_deployers, local.release_managers))}"
  }
}

# A third-party token holds what its role holds.
data "identity_access" "ci_token" {
  token_id  = identity_third_party_token.ci.id
  operation = "VIEW_PROJECT"
  scope     = "tenant:acme/project:web"
}
