terraform {
  required_providers {
    posit = {
      source  = "posit-dev/posit"
      version = "~> 0.1"
    }
  }
}

# The server and an administrator's API key. Both may come from the environment instead:
# CONNECT_SERVER and CONNECT_API_KEY (the usual way to keep the key out of configuration).
provider "posit" {
  connect_server = "https://connect.example.org"
  # connect_api_key = var.connect_api_key  # or CONNECT_API_KEY
}
