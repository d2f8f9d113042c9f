# An integration is imported by its guid (the last part of its URL in the Connect dashboard,
# or `guid` in GET /__api__/v1/oauth/integrations).
terraform import posit_connect_oauth_integration.openai 60586f1c-7bc2-4c7e-9d6c-8a1b9c0d1e2f
