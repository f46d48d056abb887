package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// Ids are UUIDs; anything else is refused at plan time on the attribute
// that holds it, before a request reaches the server.
func TestAccIDValidation_planTime(t *testing.T) {
	env := newTestEnv(t)
	invalid := regexp.MustCompile(`(?s)Invalid id.*must be an id assigned by the server`)
	steps := []resource.TestStep{}
	for _, body := range []string{
		`resource "identity_group_membership" "m" {
  group_id = "developers"
  user_id  = "8a6e0804-2bd0-4672-b79d-d97027f9071a"
}`,
		`resource "identity_group_membership" "m" {
  group_id = "8a6e0804-2bd0-4672-b79d-d97027f9071a"
  user_id  = "alice"
}`,
		`resource "identity_permission" "p" {
  operation = "VIEW_PROJECT"
  scope     = "project:web"
  user_id   = "alice"
}`,
		`resource "identity_group_members" "g" {
  group_id = "8a6e0804-2bd0-4672-b79d-d97027f9071a"
  user_ids = ["8a6e0804-2bd0-4672-b79d-d97027f9071b", "alice"]
}`,
		`resource "identity_group_members" "g" {
  group_id = "admins"
  user_ids = []
}`,
		`data "identity_user" "u" {
  id = "1234"
}`,
		`data "identity_group" "g" {
  id = "x'; DROP TABLE users; --"
}`,
		`data "identity_users" "u" {
  group_id = "admins"
}`,
		`data "identity_permissions" "p" {
  group_id = "admins"
}`,
	} {
		steps = append(steps, resource.TestStep{Config: env.Config(body), PlanOnly: true, ExpectError: invalid})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
}
