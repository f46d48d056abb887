# Quickstart: a small organization's identities, end to end.
#
# The provider reads its endpoint and credentials from the environment:
#   IDENTITY_ENDPOINT=http://127.0.0.1:8080 IDENTITY_USERNAME=system IDENTITY_PASSWORD=... terraform apply
# `make demo` starts a server and sets them for you.

terraform {
  required_version = ">= 1.11" # write-only password_wo

  required_providers {
    identity = {
      source = "seed/identity"
    }
  }
}

provider "identity" {}

# --- Roles: a lower level means more privilege (admin is 1, auditor 100, guest 256).

resource "identity_role" "deployer" {
  name        = "deployer"
  level       = 50
  description = "Deploys applications; no identity administration."
}

resource "identity_role" "reviewer" {
  name        = "reviewer"
  level       = 150
  description = "Reviews projects before release."
}

# --- Users. Passwords are write-only: never in the plan or the state.

resource "identity_user" "alice" {
  username            = "alice"
  email               = "alice@acme.example"
  first_name          = "Alice"
  last_name           = "Liddell"
  organization        = "Acme"
  role                = identity_role.deployer.name
  attributes          = { team = "platform" }
  password_wo         = var.alice_password
  password_wo_version = 1
}

resource "identity_user" "bob" {
  username            = "bob"
  email               = "bob@acme.example"
  first_name          = "Bob"
  last_name           = "Builder"
  organization        = "Acme"
  role                = identity_role.reviewer.name
  password_wo         = var.bob_password
  password_wo_version = 1
}

resource "identity_user" "carol" {
  username     = "carol"
  email        = "carol@acme.example"
  first_name   = "Carol"
  organization = "Acme"
  role         = "auditor"
}

resource "identity_user" "dave" {
  username     = "dave"
  email        = "dave@acme.example"
  first_name   = "Dave"
  organization = "Acme"
}

# --- Groups and their members, one membership style per group.

resource "identity_group" "platform" {
  name         = "Platform"
  organization = "Acme"
  description  = "Runs the platform."
}

# Non-authoritative: one resource per membership; others may add members too.
resource "identity_group_membership" "platform" {
  for_each = {
    alice = identity_user.alice.id
    dave  = identity_user.dave.id
  }
  group_id = identity_group.platform.id
  user_id  = each.value
}

resource "identity_group" "release_managers" {
  name         = "Release Managers"
  organization = "Acme"
  description  = "Approve and ship releases."
}

# Authoritative: exactly these members; anyone added elsewhere is removed on apply.
resource "identity_group_members" "release_managers" {
  group_id = identity_group.release_managers.id
  user_ids = [identity_user.alice.id, identity_user.bob.id]
}

# --- Permissions on every kind of scope, to users, groups and roles.

resource "identity_permission" "auditors_view_everything" {
  operation = "VIEW_INVENTORY"
  scope     = "global"
  role      = "auditor"
}

resource "identity_permission" "platform_admins_tenant" {
  operation = "ADMIN_TENANT"
  scope     = "tenant:${var.tenant}"
  group_id  = identity_group.platform.id
}

resource "identity_permission" "bob_views_web" {
  operation = "VIEW_PROJECT"
  scope     = "project:web"
  user_id   = identity_user.bob.id
}

resource "identity_permission" "release_managers_modify_web" {
  operation = "MODIFY_PROJECT"
  scope     = "project:web"
  group_id  = identity_group.release_managers.id
}

resource "identity_permission" "deployers_deploy_prod" {
  operation = "DEPLOY_INVENTORY"
  scope     = "inventory:prod"
  role      = identity_role.deployer.name
}

# --- A third-party token for the CI pipeline; change rotation to rotate it.

resource "identity_third_party_token" "ci" {
  role        = identity_role.deployer.name
  description = "CI pipeline deploying ${var.tenant}"
  expires_at  = var.ci_token_expires_at

  rotate_when_changed = {
    rotation = var.ci_token_rotation
  }
}

# --- Look a user up by email, as a pipeline would.

data "identity_user" "alice" {
  email = identity_user.alice.email
}

data "identity_permissions" "prod" {
  scope      = "inventory:prod"
  depends_on = [identity_permission.deployers_deploy_prod]
}
