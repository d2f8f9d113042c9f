# What the Azure administrator hands over (see the Azure guide for making them with azuread).
variable "azure_tenant_id" {
  type = string
}

variable "azure_client_id" {
  type = string
}

variable "azure_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

# The Azure OpenAI resource and deployment the app calls.
variable "azure_openai_endpoint" {
  type    = string
  default = "https://example.openai.azure.com/"
}

variable "azure_openai_deployment" {
  type    = string
  default = "gpt-4o"
}

# Bump to send the write-only values again (a rotated secret, a new endpoint).
variable "secrets_version" {
  type    = number
  default = 1
}

# The app as rsconnect deployed it: its name and the publisher who owns it.
variable "app_name" {
  type    = string
  default = "openai-chatbot"
}

variable "app_owner" {
  type    = string
  default = "data-scientist"
}
