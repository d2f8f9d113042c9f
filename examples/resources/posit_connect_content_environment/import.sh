# Imported by the content's guid (in its URL on Connect, or its Info panel). Connect never returns
# values: the import records the names only, and the first apply sends the configured values.
terraform import posit_connect_content_environment.chat_app f2f37341-e21d-3d80-c698-a935ad614066
