"""Creating, activating, changing and listing orgs and sub-orgs.

Above orgs, identity and access: creating an org invites its primary admin
(identity) and gives a sub-org its access settings; listing follows reach (access).
"""
