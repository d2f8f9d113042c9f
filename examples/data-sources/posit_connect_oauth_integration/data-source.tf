data "posit_connect_oauth_integration" "graph" {
  name = "Microsoft Graph"
}

output "graph_guid" {
  value = data.posit_connect_oauth_integration.graph.guid
}
