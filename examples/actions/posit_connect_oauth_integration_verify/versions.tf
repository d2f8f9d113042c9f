terraform {
  # Actions need Terraform 1.14 or later.
  required_version = ">= 1.14"

  required_providers {
    posit = {
      source  = "posit-dev/posit"
      version = "~> 0.1"
    }
  }
}
