terraform {
  required_version = ">= 1.11" # write-only values (variables_wo)
  required_providers {
    posit = {
      source  = "posit-dev/posit"
      version = "~> 0.1"
    }
  }
}

# connect_server and connect_api_key come from CONNECT_SERVER and CONNECT_API_KEY.
provider "posit" {}
