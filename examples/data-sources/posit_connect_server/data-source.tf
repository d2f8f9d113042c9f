data "posit_connect_server" "this" {}

# The redirect URI to register on the Entra ID application for Viewer integrations.
output "oauth_redirect_uri" {
  value = data.posit_connect_server.this.oauth_redirect_uri
}
