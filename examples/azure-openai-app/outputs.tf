output "chatbot_url" {
  description = "Where the AI team opens the app."
  value       = data.posit_connect_content.chatbot.content_url
}

output "integration_guid" {
  value = posit_connect_oauth_integration.openai.guid
}
