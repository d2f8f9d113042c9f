# The group whose members may use the Azure OpenAI integration.
data "posit_connect_group" "ai_team" {
  name = "AI team"
}

output "ai_team_guid" {
  value = data.posit_connect_group.ai_team.guid
}
