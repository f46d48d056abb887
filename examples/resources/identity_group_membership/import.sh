# A membership is imported by group/user: the group by id or full name
# (Organization:Name, or Name), the user by id or username, case-insensitive:
terraform import identity_group_membership.alice_developers Acme:Developers/alice

# or by ids, group_id/user_id:
terraform import identity_group_membership.alice_developers 0f1e2d3c-4b5a-4697-8879-6a5b4c3d2e1f/5b0c6f3e-8a1d-4c2b-9e7f-0a1b2c3d4e5f
