"""What the web adapters (API, console, SCIM) share: the services container, the
request's unit of work, the caller, org authorization and the cookie session.

Imports no adapter: `api`, `console` and `scim` build on it, never on each other.
"""
