# A client secret kept out of state and plan files (Terraform 1.11+, OpenTofu 1.11+).
# Rotate: put the new secret in TF_VAR_client_secret and bump client_secret_wo_version.

variable "client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "posit_connect_oauth_integration" "graph_service_account" {
  template = "msgraph"
  name     = "Microsoft Graph (service account)"
  config {
    auth_type                = "Service Account"
    tenant_id                = "6f1c2b3a-0d4e-4a5b-9c8d-7e6f5a4b3c2d"
    client_id                = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    client_secret_wo         = var.client_secret
    client_secret_wo_version = 1
  }
}
