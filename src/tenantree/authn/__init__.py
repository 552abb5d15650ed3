"""Authentication: turning a credential (password session, API token, SSO session) into an Actor."""
