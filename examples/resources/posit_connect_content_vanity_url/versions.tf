terraform {
  required_providers {
    posit = {
      source  = "posit-dev/posit"
      version = "~> 0.1"
    }
  }
}
