"""New-media platform adapters: each reads an account's public pages and returns what it saw (posts) and
what it could not see (a collection status with its reason), never a verdict."""
