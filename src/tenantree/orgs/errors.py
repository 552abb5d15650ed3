from tenantree.errors import Conflict, Invalid, NotFound


class OrgNotFound(NotFound):
    code = "org_not_found"


class SalesforceIdTaken(Conflict):
    code = "salesforce_id_taken"


class NotEligibleForPartner(Invalid):
    code = "not_eligible_for_partner"


class NotAPartner(Invalid):
    code = "not_a_partner"
