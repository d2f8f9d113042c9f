# Who is who on Connect.
data "posit_connect_group" "ai_team" {
  name = "AI team"
}

data "posit_connect_user" "owner" {
  username = var.app_owner
}

# 1. The integration, usable only by the AI team's publishers. Each visitor of the app signs in
#    with their own Entra ID account (Viewer).
resource "posit_connect_oauth_integration" "openai" {
  template    = "azure-openai"
  name        = "Azure OpenAI"
  description = "Azure OpenAI as the visitor, for the AI team's apps."
  config {
    auth_type                = "Viewer"
    tenant_id                = var.azure_tenant_id
    client_id                = var.azure_client_id
    client_secret_wo         = var.azure_client_secret
    client_secret_wo_version = var.secrets_version
  }
  permissions = {
    groups = [data.posit_connect_group.ai_team.guid]
  }
}

# 2. The app, deployed by its publisher with rsconnect (content is not deployed by Terraform).
data "posit_connect_content" "chatbot" {
  name       = var.app_name
  owner_guid = data.posit_connect_user.owner.guid
}

# 3. The app may use the integration.
resource "posit_connect_content_oauth_integrations" "chatbot" {
  content_guid      = data.posit_connect_content.chatbot.guid
  integration_guids = [posit_connect_oauth_integration.openai.guid]
}

# 4. Only the AI team may open it; the owner alone changes it.
resource "posit_connect_content_access" "chatbot" {
  content_guid = data.posit_connect_content.chatbot.guid
  access_type  = "acl"
  viewers = {
    groups = [data.posit_connect_group.ai_team.guid]
  }
}

# 5. A short address: https://connect.example.com/chatbot/
resource "posit_connect_content_vanity_url" "chatbot" {
  content_guid = data.posit_connect_content.chatbot.guid
  path         = "/chatbot/"
}

# 6. What the app reads at start-up. Connect shows the names, never the values.
resource "posit_connect_content_environment" "chatbot" {
  content_guid = data.posit_connect_content.chatbot.guid
  variables_wo = {
    AZURE_OPENAI_ENDPOINT   = var.azure_openai_endpoint
    AZURE_OPENAI_DEPLOYMENT = var.azure_openai_deployment
  }
  variables_wo_version = var.secrets_version
}
