"""An org's "MFA required" setting (for its own members; a partner's also for its sub-orgs)."""

from tenantree.access.mfa_policy import MfaPolicy, get_mfa_policy, set_mfa_policy
from tenantree.access.permissions import Permission as P
from tenantree.api.deps import OrgWith, UnitOfWorkRoute
from tenantree.api.errors import ERROR_RESPONSES
from tenantree.api.schemas.mfa import MfaPolicyBody, MfaPolicyOut
from tenantree.web.routing import GatedRouter

router = GatedRouter(
    route_class=UnitOfWorkRoute,
    prefix="/api/v1/orgs/{org_id}",
    tags=["mfa"],
    responses=ERROR_RESPONSES,
)


def _out(policy: MfaPolicy) -> MfaPolicyOut:
    return MfaPolicyOut(
        required=policy.required,
        required_for_sub_orgs=policy.required_for_sub_orgs,
        inherited=policy.inherited,
        effective=policy.effective,
    )


@router.get("/mfa-policy", response_model=MfaPolicyOut, operation_id="get_mfa_policy")
def get_policy(target: OrgWith(P.ORG_MFA_POLICY_MANAGE)) -> MfaPolicyOut:
    return _out(get_mfa_policy(target.session, target.org))


@router.put("/mfa-policy", response_model=MfaPolicyOut, operation_id="set_mfa_policy")
def put_policy(body: MfaPolicyBody, target: OrgWith(P.ORG_MFA_POLICY_MANAGE)) -> MfaPolicyOut:
    return _out(
        set_mfa_policy(
            target.session,
            target.trail,
            target.org,
            required=body.required,
            required_for_sub_orgs=body.required_for_sub_orgs,
        )
    )
