# Before Terraform 1.11: the values in state (sensitive: hidden in plan output, but in plain text
# in state and plan files). Keep the state in a protected backend.

variable "log_level" {
  type    = string
  default = "info"
}

resource "posit_connect_content_environment" "report" {
  content_guid = "0d7c3f4e-5a6b-4c8d-9e0f-1a2b3c4d5e6f"
  variables = {
    LOG_LEVEL = var.log_level
    REGION    = "westeurope"
  }
}
