variable "connect_server" {
  description = "The Connect server's address, e.g. https://connect.example.org."
  type        = string
}

variable "app_display_name" {
  description = "The name of the app registration in Microsoft Entra ID."
  type        = string
  default     = "Posit Connect"
}

variable "secret_rotation" {
  description = "Change this (say, from 1 to 2) to replace the client secret; Connect gets the new one in the same apply."
  type        = number
  default     = 1
}

variable "grant_admin_consent" {
  description = "Grant the delegated permissions for every user of the tenant, so that visitors are not asked to consent."
  type        = bool
  default     = true
}
