# Only the AI team and one analyst may view the chatbot; one colleague may also change it.
data "posit_connect_content" "chatbot" {
  name       = "openai-chatbot"
  owner_guid = "6f1c2f4e-8a4b-4d0e-9b3a-1c2d3e4f5a6b"
}

data "posit_connect_group" "ai_team" {
  name = "AI team"
}

data "posit_connect_user" "analyst" {
  username = "analyst"
}

data "posit_connect_user" "colleague" {
  username = "colleague"
}

resource "posit_connect_content_access" "chatbot" {
  content_guid = data.posit_connect_content.chatbot.guid
  access_type  = "acl" # all | logged_in | acl

  viewers = {
    users  = [data.posit_connect_user.analyst.guid]
    groups = [data.posit_connect_group.ai_team.guid]
  }
  collaborators = {
    users = [data.posit_connect_user.colleague.guid]
  }
}
