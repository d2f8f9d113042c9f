# What the Azure administrator hands over: the tenant, the app registration's client id and,
# for a Confidential application, its client secret.
variable "azure_tenant_id" {
  type = string
}

variable "azure_client_id" {
  type = string
}

variable "azure_public_client_id" {
  description = "An app registration with public client flows allowed, and no secret."
  type        = string
}

variable "azure_client_secret" {
  type      = string
  sensitive = true
}

# Azure OpenAI, Viewer: each visitor signs in with their own Entra ID account.
resource "posit_connect_oauth_integration" "openai" {
  template    = "azure-openai"
  name        = "Azure OpenAI"
  description = "Azure OpenAI as the visitor."
  config {
    auth_type     = "Viewer"
    tenant_id     = var.azure_tenant_id
    client_id     = var.azure_client_id
    client_secret = var.azure_client_secret
    # scopes default to "https://cognitiveservices.azure.com/.default offline_access"
  }
}

# Microsoft Graph, Viewer, Public application: no client secret (Connect makes it "Public").
resource "posit_connect_oauth_integration" "graph" {
  template = "msgraph"
  name     = "Microsoft Graph"
  config {
    tenant_id = var.azure_tenant_id
    client_id = var.azure_public_client_id
  }
}

# SharePoint, Service Account: content acts as the application itself (client credentials),
# so a client secret is required.
resource "posit_connect_oauth_integration" "sharepoint" {
  template = "sharepoint"
  name     = "SharePoint (service account)"
  config {
    auth_type     = "Service Account"
    tenant_id     = var.azure_tenant_id
    client_id     = var.azure_client_id
    client_secret = var.azure_client_secret
  }
}

# The general Azure template has no default scopes: list them, with offline_access for a
# Viewer integration so that Entra ID issues a refresh token.
resource "posit_connect_oauth_integration" "storage" {
  template    = "azure"
  name        = "Azure Storage"
  description = "Blob storage as the visitor."
  config {
    tenant_id     = var.azure_tenant_id
    client_id     = var.azure_client_id
    client_secret = var.azure_client_secret
    scopes        = "https://storage.azure.com/user_impersonation offline_access"
  }
}

# The general Azure template as a Service Account: the resource's .default scope.
resource "posit_connect_oauth_integration" "management" {
  template = "azure"
  name     = "Azure Resource Manager (service account)"
  config {
    auth_type     = "Service Account"
    tenant_id     = var.azure_tenant_id
    client_id     = var.azure_client_id
    client_secret = var.azure_client_secret
    scopes        = "https://management.azure.com/.default"
  }
}
