# A permission is imported by id:
terraform import identity_permission.alice_deploys_prod 9a8b7c6d-5e4f-4321-8765-43210fedcba9
