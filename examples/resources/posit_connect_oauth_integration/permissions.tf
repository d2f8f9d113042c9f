# Only the AI team, and one analyst, may use the Azure OpenAI integration.
data "posit_connect_group" "ai_team" {
  name = "AI team"
}

data "posit_connect_user" "analyst" {
  username = "analyst"
}

resource "posit_connect_oauth_integration" "openai_ai_team" {
  template = "azure-openai"
  name     = "Azure OpenAI (AI team)"
  config {
    tenant_id     = var.azure_tenant_id
    client_id     = var.azure_client_id
    client_secret = var.azure_client_secret
  }
  permissions = {
    groups = [data.posit_connect_group.ai_team.guid]
    users  = [data.posit_connect_user.analyst.guid]
  }
}
