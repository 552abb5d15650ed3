"""Single sign-on per org with OpenID Connect (authorization code + PKCE, authlib)."""
