# Step 2, the Connect administrator's: one integration per Azure template, wired to step 1.
# The tenant id, client id and secret flow from the azuread resources, so one apply does both
# steps and a rotated secret reaches Connect in the same apply.

locals {
  azure = {
    tenant_id     = data.azuread_client_config.current.tenant_id
    client_id     = azuread_application.connect.client_id
    client_secret = azuread_application_password.connect.value
  }
}

resource "posit_connect_oauth_integration" "openai" {
  template    = "azure-openai"
  name        = "Azure OpenAI"
  description = "Azure OpenAI as the visitor, through ${var.app_display_name}."
  config {
    auth_type     = "Viewer"
    tenant_id     = local.azure.tenant_id
    client_id     = local.azure.client_id
    client_secret = local.azure.client_secret
    # scopes: the template's default, https://cognitiveservices.azure.com/.default offline_access
  }
}

resource "posit_connect_oauth_integration" "msgraph" {
  template    = "msgraph"
  name        = "Microsoft Graph"
  description = "Microsoft Graph as the visitor, through ${var.app_display_name}."
  config {
    auth_type     = "Viewer"
    tenant_id     = local.azure.tenant_id
    client_id     = local.azure.client_id
    client_secret = local.azure.client_secret
    # scopes: the template's default, https://graph.microsoft.com/.default offline_access
  }
}

resource "posit_connect_oauth_integration" "sharepoint" {
  template    = "sharepoint"
  name        = "SharePoint"
  description = "SharePoint as the visitor, through ${var.app_display_name}."
  config {
    auth_type     = "Viewer"
    tenant_id     = local.azure.tenant_id
    client_id     = local.azure.client_id
    client_secret = local.azure.client_secret
    # scopes: the template's default, 00000003-0000-0ff1-ce00-000000000000/.default offline_access
  }
}
