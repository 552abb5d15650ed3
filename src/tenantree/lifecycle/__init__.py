"""Creating, activating and changing orgs and sub-orgs (deactivation included).

Above orgs and identity: creating an org invites its primary admin, and a new
sub-org gets its access settings. Listing orgs by reach is access.org_listing.
"""
