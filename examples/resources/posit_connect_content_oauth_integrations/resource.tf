# Lets one content item use two OAuth integrations (usually
# posit_connect_oauth_integration.<name>.guid references).
resource "posit_connect_content_oauth_integrations" "report" {
  content_guid = "f2f37341-e21d-3d80-c698-a935ad614066"
  integration_guids = [
    "60586f1c-7bc2-4c7e-9d6c-8a1b9c0d1e2f",
    "0d7c3f4e-5a6b-4c8d-9e0f-1a2b3c4d5e6f",
  ]
}
