# A content item's vanity URL is imported by the content's guid (shown in the dashboard's content
# settings, or `guid` in GET /__api__/v1/content).
terraform import posit_connect_content_vanity_url.dashboard f2f37341-e21d-3d80-c698-a935ad614066
