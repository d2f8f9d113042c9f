# The environment variables one content item needs, values kept out of state and plan files
# (Terraform 1.11+, OpenTofu 1.11+). Variables set by others (rsconnect deploy -E, the dashboard)
# are left alone. Rotate: change the values and bump variables_wo_version.

variable "openai_api_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "posit_connect_content_environment" "chat_app" {
  content_guid = "f2f37341-e21d-3d80-c698-a935ad614066"
  variables_wo = {
    AZURE_OPENAI_ENDPOINT = "https://example.openai.azure.com/"
    AZURE_OPENAI_API_KEY  = var.openai_api_key
  }
  variables_wo_version = 1
}
