from tenantree.errors import Forbidden, NotFound


class AccessDenied(Forbidden):
    code = "forbidden"


class CustomerAccessRefused(Forbidden):
    code = "customer_access_refused"


class OrgDeactivated(Forbidden):
    code = "org_deactivated"


class OrgInvisible(NotFound):
    """The caller may not know the org exists; same answer as an unknown id."""

    code = "org_not_found"
