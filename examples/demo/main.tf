# The four Azure OAuth integrations of Posit Connect, managed by Terraform.
#
# The provider reads the server and an administrator's API key from CONNECT_SERVER and
# CONNECT_API_KEY (scripts/demo.sh sets both, starting a fake Connect when CONNECT_SERVER is
# unset). The ids below are placeholders: pass your Azure app registration's with -var.

terraform {
  required_providers {
    posit = {
      source = "posit-dev/posit"
    }
  }
}

provider "posit" {}

variable "tenant_id" {
  description = "The Microsoft Entra ID tenant (directory) id."
  type        = string
  default     = "6f1c2b3a-0d4e-4a5b-9c8d-7e6f5a4b3c2d"
}

variable "client_id" {
  description = "The app registration's client (application) id."
  type        = string
  default     = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
}

variable "client_secret" {
  description = "The app registration's client secret."
  type        = string
  sensitive   = true
  default     = "demo-client-secret"
}

resource "posit_connect_oauth_integration" "azure" {
  template    = "azure"
  name        = "Azure OAuth integration"
  description = "For publishers' Azure content."
  config {
    auth_type     = "Viewer"
    tenant_id     = var.tenant_id
    client_id     = var.client_id
    client_secret = var.client_secret
    # `azure` has no default scopes: list the APIs, plus offline_access for a refresh token.
    scopes = "https://management.azure.com/.default offline_access"
  }
}

resource "posit_connect_oauth_integration" "openai" {
  template    = "azure-openai"
  name        = "Azure OpenAI OAuth integration"
  description = "For publishers' Azure OpenAI content."
  config {
    auth_type     = "Viewer"
    tenant_id     = var.tenant_id
    client_id     = var.client_id
    client_secret = var.client_secret
    scopes        = "https://cognitiveservices.azure.com/.default offline_access"
  }
}

resource "posit_connect_oauth_integration" "msgraph" {
  template    = "msgraph"
  name        = "Microsoft Graph OAuth integration"
  description = "For publishers' Microsoft Graph content."
  config {
    tenant_id     = var.tenant_id
    client_id     = var.client_id
    client_secret = var.client_secret
    # scopes omitted: the template's default, https://graph.microsoft.com/.default offline_access
  }
}

resource "posit_connect_oauth_integration" "sharepoint" {
  template    = "sharepoint"
  name        = "SharePoint OAuth integration"
  description = "For publishers' SharePoint content."
  config {
    auth_type     = "Service Account"
    tenant_id     = var.tenant_id
    client_id     = var.client_id
    client_secret = var.client_secret
  }
}

output "integrations" {
  description = "The guid of each integration, by resource name."
  value = {
    azure      = posit_connect_oauth_integration.azure.guid
    openai     = posit_connect_oauth_integration.openai.guid
    msgraph    = posit_connect_oauth_integration.msgraph.guid
    sharepoint = posit_connect_oauth_integration.sharepoint.guid
  }
}
