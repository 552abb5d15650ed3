"""SCIM 2.0 (RFC 7643/7644) provisioning into one org's directory, per org."""
