from tenantree.errors import Forbidden, NotFound


class AccessDenied(Forbidden):
    code = "forbidden"


class CustomerAccessRefused(Forbidden):
    code = "customer_access_refused"

    def __init__(self, message: str, *, partners: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        # The partners that refused, by name, for messages to their customers.
        self.partners = partners


class OrgDeactivated(Forbidden):
    code = "org_deactivated"


class OrgInvisible(NotFound):
    """The caller may not know the org exists; same answer as an unknown id."""

    code = "org_not_found"
