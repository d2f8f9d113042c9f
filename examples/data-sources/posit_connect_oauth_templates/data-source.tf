data "posit_connect_oauth_templates" "all" {}

locals {
  # The templates this Connect offers, by id.
  templates = { for t in data.posit_connect_oauth_templates.all.templates : t.id => t }
}

# The auth types the GitHub template offers on this server.
output "github_auth_types" {
  value = local.templates["github"].auth_types
}

# The config keys a Service Account integration of the GitHub template must set: required
# fields that always apply, or apply to Service Accounts.
output "github_service_account_keys" {
  value = [
    for f in local.templates["github"].fields : f.name
    if f.required && (f.applies_when == null || strcontains(coalesce(f.applies_when, ""), "Service Account"))
  ]
}
