output "redirect_uri" {
  description = "The redirect URL registered for Connect's Viewer integrations."
  value       = data.posit_connect_server.this.oauth_redirect_uri
}

output "client_id" {
  description = "The app registration's application (client) id."
  value       = azuread_application.connect.client_id
}

output "integrations" {
  description = "The guid of each Connect integration."
  value = {
    openai     = posit_connect_oauth_integration.openai.guid
    msgraph    = posit_connect_oauth_integration.msgraph.guid
    sharepoint = posit_connect_oauth_integration.sharepoint.guid
  }
}
