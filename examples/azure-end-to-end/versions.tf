terraform {
  required_providers {
    azuread = {
      source  = "hashicorp/azuread"
      version = "~> 3.0"
    }
    posit = {
      source  = "posit-dev/posit"
      version = "~> 0.1"
    }
  }
}

# Signs in as the Azure administrator: `az login`, or ARM_TENANT_ID / ARM_CLIENT_ID / ... for a
# service principal allowed to create applications (and, for grant_admin_consent, to grant
# tenant-wide consent).
provider "azuread" {}

# connect_api_key comes from CONNECT_API_KEY: an administrator's key.
provider "posit" {
  connect_server = var.connect_server
}
