# A role is imported by its name.
terraform import identity_role.deployer deployer
