# A user is imported by id:
terraform import identity_user.alice 5b0c6f3e-8a1d-4c2b-9e7f-0a1b2c3d4e5f

# or by username (case-insensitive):
terraform import identity_user.alice alice
