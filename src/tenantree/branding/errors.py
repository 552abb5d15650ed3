from tenantree.errors import Conflict, DomainError, Invalid, NotFound


class InvalidBrand(Invalid):
    code = "invalid_brand"


class InsufficientContrast(Invalid):
    code = "insufficient_contrast"


class InvalidImage(Invalid):
    code = "invalid_image"


class ImageTooLarge(DomainError):
    status = 413
    code = "image_too_large"


class UnsupportedImageType(DomainError):
    status = 415
    code = "unsupported_media_type"


class AssetNotFound(NotFound):
    code = "asset_not_found"


class DomainUnavailable(Conflict):
    """The org cannot have this hostname; which says nothing of who holds it."""

    code = "custom_domain_unavailable"


class NoDomainClaim(Conflict):
    code = "no_domain_claim"


class DomainNotVerified(Conflict):
    code = "domain_not_verified"


class DnsUnavailable(DomainError):
    """The DNS could not be asked (timeout, no server): try again later."""

    status = 503
    code = "dns_unavailable"


class InvalidSmtpRelay(Invalid):
    code = "invalid_smtp_relay"
