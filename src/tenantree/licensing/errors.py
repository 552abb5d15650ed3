from tenantree.errors import Conflict, Invalid, NotFound


class LicenseNotFound(NotFound):
    code = "license_not_found"


class NoLicense(Conflict):
    """The org's license source holds no license of this SKU in term."""

    code = "no_license"


class PoolExhausted(Conflict):
    code = "pool_exhausted"


class QuotaExceeded(Conflict):
    code = "quota_exceeded"


class InvalidUsage(Invalid):
    code = "invalid_usage"
