from tenantree.errors import Conflict, Invalid, NotFound


class InvalidDomain(Invalid):
    code = "invalid_domain"


class DomainClaimNotFound(NotFound):
    code = "domain_claim_not_found"


class DomainAlreadyClaimed(Conflict):
    """The org already claims this domain (pending or verified)."""

    code = "domain_already_claimed"


class DomainTaken(Conflict):
    """The org cannot prove this domain; which says nothing of who holds it."""

    code = "domain_unavailable"


class DomainNotOwned(Invalid):
    """A setting names a domain the org has not proven (e.g. SSO allowed_domains)."""

    code = "domain_not_verified_for_org"
