# A token is imported by id. The secret cannot be recovered: after import, token is null.
terraform import identity_third_party_token.ci 3c2b1a09-8f7e-4d6c-b5a4-938271605f4e
