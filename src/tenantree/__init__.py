"""tenantree: the organization hierarchy of a SaaS platform sold through MSPs and resellers."""

__version__ = "0.1.0"
