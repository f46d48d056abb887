# The identity_third_party_tokens data source lists tokens with their ids.
# An imported token's secret cannot be recovered: token stays null.
import {
  to = identity_third_party_token.ci
  id = "3c2b1a09-8f7e-4d6c-b5a4-938271605f4e" # the token's id
}
