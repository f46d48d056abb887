# A group is imported by id:
terraform import identity_group.developers 0f1e2d3c-4b5a-4697-8879-6a5b4c3d2e1f

# or by full name, Organization:Name (or Name for a group without an organization), case-insensitive:
terraform import identity_group.developers Acme:Developers
