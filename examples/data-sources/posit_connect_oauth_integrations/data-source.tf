data "posit_connect_oauth_integrations" "graph" {
  template = "msgraph"
}

output "graph_integration_names" {
  value = data.posit_connect_oauth_integrations.graph.integrations[*].name
}
