variable "azure_tenant_id" {
  type = string
}

variable "azure_client_id" {
  type = string
}

variable "azure_client_secret" {
  type      = string
  sensitive = true
}

# Connect checks the Service Account's token exchange after every create and update, so a
# wrong secret, tenant, client id or scope fails this apply, not the first content that uses it.
action "posit_connect_oauth_integration_verify" "graph" {
  config {
    integration_guid = posit_connect_oauth_integration.graph.guid
  }
}

resource "posit_connect_oauth_integration" "graph" {
  template = "msgraph"
  name     = "Microsoft Graph (service account)"
  config {
    auth_type     = "Service Account"
    tenant_id     = var.azure_tenant_id
    client_id     = var.azure_client_id
    client_secret = var.azure_client_secret
  }

  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.posit_connect_oauth_integration_verify.graph]
    }
  }
}
