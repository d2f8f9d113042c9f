# By name: names are unique per owner, so give the owner too when several may have one.
data "posit_connect_content" "chatbot" {
  name       = "openai-chatbot"
  owner_guid = "6f1c2f4e-8a4b-4d0e-9b3a-1c2d3e4f5a6b"
}

# By guid.
data "posit_connect_content" "report" {
  guid = "f2f37341-e21d-3d80-c698-a935ad614066"
}

output "chatbot" {
  value = {
    guid       = data.posit_connect_content.chatbot.guid
    url        = data.posit_connect_content.chatbot.content_url
    vanity_url = data.posit_connect_content.chatbot.vanity_url
  }
}
