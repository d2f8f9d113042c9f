# The access of one content item is imported by the content's guid (in the content's URL on
# Connect, its Info panel, or data.posit_connect_content).
terraform import posit_connect_content_access.chatbot f2f37341-e21d-3d80-c698-a935ad614066
