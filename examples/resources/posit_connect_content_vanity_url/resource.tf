# Serves one content item at https://connect.example.org/sales/dashboard/ (the content's guid is
# usually a data.posit_connect_content.<name>.guid reference).
resource "posit_connect_content_vanity_url" "dashboard" {
  content_guid = "f2f37341-e21d-3d80-c698-a935ad614066"
  path         = "sales/dashboard" # stored by Connect as /sales/dashboard/
}
