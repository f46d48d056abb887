# The member set is imported by the group's id or full name (Organization:Name, or Name):
terraform import identity_group_members.auditors Acme:Auditors
terraform import identity_group_members.auditors 0f1e2d3c-4b5a-4697-8879-6a5b4c3d2e1f
