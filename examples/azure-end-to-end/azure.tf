# Step 1, the Azure administrator's: an app registration in Microsoft Entra ID with Connect's
# redirect URL, the API permissions of each integration, and a client secret.

data "azuread_client_config" "current" {}

# Where Entra ID sends visitors back after they sign in (Viewer integrations):
# https://<connect-server>/__oauth__/integrations/callback, from the posit provider's server.
data "posit_connect_server" "this" {}

# The service principals of the Microsoft APIs in your tenant: they turn permission names into
# the ids an app registration lists.
data "azuread_service_principal" "cognitive_services" {
  client_id = "7d312290-28c8-473c-a0ed-8e53749b6d6d" # Microsoft Cognitive Services (Azure OpenAI)
}

data "azuread_service_principal" "msgraph" {
  client_id = "00000003-0000-0000-c000-000000000000" # Microsoft Graph
}

data "azuread_service_principal" "sharepoint" {
  client_id = "00000003-0000-0ff1-ce00-000000000000" # Office 365 SharePoint Online
}

resource "azuread_application" "connect" {
  display_name = var.app_display_name
  owners       = [data.azuread_client_config.current.object_id]

  web {
    redirect_uris = [data.posit_connect_server.this.oauth_redirect_uri]
  }

  # Azure OpenAI: Microsoft Cognitive Services / user_impersonation.
  required_resource_access {
    resource_app_id = data.azuread_service_principal.cognitive_services.client_id

    resource_access {
      id   = data.azuread_service_principal.cognitive_services.oauth2_permission_scope_ids["user_impersonation"]
      type = "Scope"
    }
  }

  # Microsoft Graph: what your content calls (User.Read here), and offline_access for the
  # refresh tokens of Viewer integrations.
  required_resource_access {
    resource_app_id = data.azuread_service_principal.msgraph.client_id

    resource_access {
      id   = data.azuread_service_principal.msgraph.oauth2_permission_scope_ids["User.Read"]
      type = "Scope"
    }

    resource_access {
      id   = data.azuread_service_principal.msgraph.oauth2_permission_scope_ids["offline_access"]
      type = "Scope"
    }
  }

  # SharePoint: read the sites the visitor can read.
  required_resource_access {
    resource_app_id = data.azuread_service_principal.sharepoint.client_id

    resource_access {
      id   = data.azuread_service_principal.sharepoint.oauth2_permission_scope_ids["AllSites.Read"]
      type = "Scope"
    }
  }
}

# The application's service principal in this tenant: what visitors sign in to, and what the
# consent below is granted to.
resource "azuread_service_principal" "connect" {
  client_id = azuread_application.connect.client_id
  owners    = [data.azuread_client_config.current.object_id]
}

# The client secret (Certificates & secrets). Changing var.secret_rotation replaces it: the new
# secret is made first, Connect's integrations are updated with it, then the old one is deleted.
resource "azuread_application_password" "connect" {
  application_id = azuread_application.connect.id
  display_name   = "Posit Connect OAuth integrations"
  rotate_when_changed = {
    rotation = tostring(var.secret_rotation)
  }

  lifecycle {
    create_before_destroy = true
  }
}

# "Grant admin consent": tenant-wide consent to the delegated permissions above.
resource "azuread_service_principal_delegated_permission_grant" "cognitive_services" {
  count                                = var.grant_admin_consent ? 1 : 0
  service_principal_object_id          = azuread_service_principal.connect.object_id
  resource_service_principal_object_id = data.azuread_service_principal.cognitive_services.object_id
  claim_values                         = ["user_impersonation"]
}

resource "azuread_service_principal_delegated_permission_grant" "msgraph" {
  count                                = var.grant_admin_consent ? 1 : 0
  service_principal_object_id          = azuread_service_principal.connect.object_id
  resource_service_principal_object_id = data.azuread_service_principal.msgraph.object_id
  claim_values                         = ["User.Read", "offline_access"]
}

resource "azuread_service_principal_delegated_permission_grant" "sharepoint" {
  count                                = var.grant_admin_consent ? 1 : 0
  service_principal_object_id          = azuread_service_principal.connect.object_id
  resource_service_principal_object_id = data.azuread_service_principal.sharepoint.object_id
  claim_values                         = ["AllSites.Read"]
}
