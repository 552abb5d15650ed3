"""Identity: sign-in accounts, each org's user directory, tokens and invitations.

An *account* is a person's one sign-in (email + password). A *directory entry*
(`Membership`; "user" in the API) places an account in one org's directory
with a role there. A person invited into several orgs has one account and one
entry per org.
"""
