"""The API keeps the promises its OpenAPI document makes: schemathesis, in-process.

Every operation in /openapi.json is fuzzed with schema-valid (positive) and
schema-invalid (negative) requests and every response goes through all of
schemathesis's default checks: no 5xx, documented status codes, content types,
headers and bodies, invalid input refused, valid input accepted, and
`ignored_auth` (an operation that declares bearer auth must answer 401 without
a token and with a bad one).

The requests reach real rows: the world of tests/factories.py is written
afresh for every operation with fixed ids (see tests/api/conformance_world.py), and schemathesis
dictionaries put those ids in path parameters and bodies part of the time, so
positive cases hit real orgs, users, invitations and licenses, not only 404s.
The stateful test then chains calls (create, then use what was created).
The run is deterministic: a fixed seed, derandomized Hypothesis, no example
database. To see what a failure sent, the report prints a curl command.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.conformance_world import (
    INVITATION_IDS,
    INVITATION_TOKENS,
    LICENSE_IDS,
    OPERATOR_TOKEN,
    ORG_IDS,
    SKUS,
    USER_IDS,
    FixedWorld,
    empty_tables,
    unrevoke_operator_token,
)
from api.deferred_coverage import attach_pending_coverage_cases, defer_coverage_cases
from factories import PASSWORD
from tenantree.config import Settings
from tenantree.identity.context import IdentityConfig
from tenantree.outbox import MemoryBackend
from tenantree.server.app import create_app

SEED = 20240611
# Fuzzing examples per operation; the examples and coverage phases add their
# own cases (schema examples, boundary values, each constraint broken).
MAX_EXAMPLES = 30
STATEFUL_SCENARIOS = 40
STATEFUL_STEPS = 8


# Statuses a schema-valid request may get besides 2xx. Schemathesis accepts
# 401/403/404/409/429 by default (auth, visibility, state). 422 is added only
# for the operations below, where a documented server-side rule goes beyond
# what JSON Schema can say (a checksum, a rule across fields, a reference to
# rows that must exist, the kind of org in the path, image content, colour
# contrast). The server is right to refuse those, so we accept the refusal
# rather than weaken the rule. "email": addresses are checked by
# email-validator, which also refuses domains reserved for special use (.arpa,
# .local, .test...) that the JSON Schema `email` format lets through.
_DEFAULT_POSITIVE = ["2xx", "401", "403", "404", "409", "429"]
_DOMAIN_422 = {
    "create_org": "the Salesforce ID's last three characters are a checksum; email",
    "create_sub_org": "Salesforce ID checksum; the parent must be a partner; email",
    "create_invitation": "email",
    "activate_partner": "only a Pro standard org can become a partner",
    "accept_invitation": "an unknown, used, revoked or expired token; password rules",
    "confirm_password_reset": "an unknown, used, revoked or expired token; password rules",
    "confirm_email": "an unknown, used or expired token",
    "transfer_primary_admin": "user_id must name a user of this org",
    "set_access_settings": "partner_users must name users of the partner; "
    "partner_access_expires_at in the future, only with partner_users 'all'",
    "grant_partner_user": "expires_at in the future; not the partner's primary admin",
    "list_partner_staff_reaching": "cursor",
    "update_org": "customers only (and required) when deactivating a partner with customers",
    "grant_license": "ends_at after starts_at; the contract ID's checksum",
    "update_license": "ends_at after starts_at",
    "set_license_source": "only a sub-org has a license source",
    "set_quota": "only a sub-org has quotas",
    "move_sub_org": "to_partner_id must name an org",
    "get_license_report": "from and to both or neither; to not before from; the longest period",
    "report_usage": "releasing more units than the org uses",
    "save_branding_draft": "colours pass the WCAG 2 contrast rule of their field; "
    "custom_domain is a real DNS name (IDNA), not an IP address or the platform's host; "
    "logo_url and favicon_url name the current upload",
    "upload_brand_logo": "the content really is a PNG or SVG image",
    "upload_brand_favicon": "the content really is a PNG or SVG image",
    "verify_brand_domain": "hostname is a real DNS name; the org claimed it",
    "set_smtp_relay": "host is a DNS name, not an IP address; credentials need STARTTLS",
    # A page cursor is opaque: only one the API returned is valid.
    "list_orgs": "cursor",
    "list_sub_orgs": "cursor",
    "list_users": "cursor",
    "list_invitations": "cursor",
    "list_org_audit_events": "cursor",
    "list_platform_audit_events": "cursor",
    "list_usage_events": "cursor",
    "export_org_audit_events": "to later than from",
    "create_crm_reconciliation": "the body is a Salesforce Accounts CSV: a header naming "
    "the ID and name columns, IDs with their checksum",
    "list_crm_reconciliations": "cursor",
    "create_api_token": "expires_at in the future",
    "list_api_tokens": "cursor",
    "create_scim_token": "expires_at in the future",
    "list_scim_tokens": "cursor",
    "create_org_webhook": "url is https to a public host; include_sub_orgs only for a partner",
    "update_org_webhook": "url is https to a public host; include_sub_orgs only for a partner",
    "list_org_webhook_deliveries": "cursor",
    "claim_org_domain": "domain is a real DNS name (IDNA) the org may own: not a public "
    "suffix, IP address or the platform's domain",
    "set_sso_config": "issuer is https (or loopback); allowed_domains are verified "
    "domains of the org; client_secret when first configured",
}


def _config() -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            # Every request carries the operator's token, who may do everything;
            # `ignored_auth` then replays requests without it and with a bad one.
            "auth": {"openapi": {"HTTPBearer": {"bearer": OPERATOR_TOKEN}}},
            "generation": {
                "mode": "all",
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
            },
            "dictionaries": {
                "org_ids": {"values": ORG_IDS},
                "user_ids": {"values": USER_IDS},
                "invitation_ids": {"values": INVITATION_IDS},
                "license_ids": {"values": LICENSE_IDS},
                "skus": {"values": SKUS},
                "invitation_tokens": {"values": list(INVITATION_TOKENS.values())},
                "emails": {"values": ["op@example.com", "p-a@example.com"]},
                "passwords": {"values": [PASSWORD]},
            },
            # Dictionary values are used only where they fit the mode: a
            # positive case may get a real id, a negative one never does.
            "parameters": {
                "path.org_id": {"dictionary": "org_ids", "probability": 0.7},
                "query.parent_id": {"dictionary": "org_ids", "probability": 0.5},
                "path.user_id": {"dictionary": "user_ids", "probability": 0.7},
                "body.user_id": {"dictionary": "user_ids", "probability": 0.7},
                "path.invitation_id": {"dictionary": "invitation_ids", "probability": 0.7},
                "path.license_id": {"dictionary": "license_ids", "probability": 0.7},
                "path.sku": {"dictionary": "skus", "probability": 0.7},
                "body.sku": {"dictionary": "skus", "probability": 0.7},
                "body.partner_users[*]": {"dictionary": "user_ids", "probability": 0.7},
                "body.token": {"dictionary": "invitation_tokens", "probability": 0.5},
                "body.email": {"dictionary": "emails", "probability": 0.3},
                "body.password": {"dictionary": "passwords", "probability": 0.3},
            },
            # One block per override, naming its operations: schemathesis looks
            # an operation's config up for every case, through every block.
            "operations": [
                {
                    "include-operation-id": list(_DOMAIN_422),
                    "checks": {
                        "positive_data_acceptance": {
                            "expected-statuses": [*_DEFAULT_POSITIVE, "422"]
                        }
                    },
                },
                # Access settings, partner grants and partner staff exist only
                # for sub-orgs, so for the standard org POST /orgs just made,
                # they are 404 (not_a_sub_org) by design; an org's SSO settings
                # are 404 (sso_not_configured) until configured. The check
                # assumes every path under a created resource exists; here it
                # does not.
                {
                    "include-operation-id": [
                        "get_access_settings",
                        "set_access_settings",
                        # A test sign-in needs the org's SSO configured: 404 before.
                        "start_sso_test",
                        "grant_partner_user",
                        "end_partner_grant",
                        "list_partner_staff_reaching",
                        "get_sso_config",
                        "remove_sso_config",
                    ],
                    "checks": {"ensure_resource_availability": {"enabled": False}},
                },
            ],
        }
    )


def _schema() -> Any:
    # The document only; the requests go to the per-backend app of the test.
    app = create_app(
        Settings(database_url="sqlite://", secret_key="schema-only"),
        email_backend=MemoryBackend(),
    )
    try:
        return schemathesis.openapi.from_asgi("/openapi.json", app, config=_config())
    finally:
        app.state.engine.dispose()


schema = _schema()
defer_coverage_cases()
# The world's rows, built once per database and written again for each
# operation and scenario (~140 per database; see FixedWorld).
FIXED_WORLD = FixedWorld()


@pytest.fixture
def fixed_world(
    db: Engine, sessions: sessionmaker[Session], identity: IdentityConfig
) -> Iterator[Engine]:
    FIXED_WORLD.write(sessions, identity, db)
    yield db


@pytest.fixture
def coverage_cases(request: pytest.FixtureRequest) -> None:
    # Generated at the first run of the operation's test, not at collection.
    attach_pending_coverage_cases(request.node.obj)


@schema.parametrize()
# The world is built once per operation, not per example: state carries over
# between the examples of one operation, as it would for a real client.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_operation_conforms(  # type: ignore[no-untyped-def]
    case, app, fixed_world, identity, coverage_cases
) -> None:
    """Examples, coverage and fuzzing phases; positive and negative data."""
    if case.operation.definition.raw.get("operationId") == "logout":
        # Signing out revokes the token it was called with; the next example needs it.
        unrevoke_operator_token(fixed_world, identity)
    case.call_and_validate(app=app)


def test_workflows_conform(app, fixed_world, sessions, identity) -> None:  # type: ignore[no-untyped-def]
    """The stateful phase: chains of calls along links schemathesis infers
    (POST /orgs, then the created org's users, invitations, licenses...),
    with the checks that need them (`use_after_free`,
    `ensure_resource_availability`) on top of all the others. Every scenario
    starts from a freshly built world.
    """

    class Workflows(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            empty_tables(fixed_world)
            FIXED_WORLD.write(sessions, identity, fixed_world)

        def get_call_kwargs(self, case):  # type: ignore[no-untyped-def]
            return {"app": app}

    Workflows.run(
        settings=settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=STATEFUL_STEPS,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )


# The operations of ../shared/API.md, with the operationId clients are
# generated with: renaming a route function must not rename the operation.
CONTRACT = {
    ("POST", "/api/v1/auth/login"): "login",
    ("POST", "/api/v1/auth/logout"): "logout",
    ("GET", "/api/v1/me"): "get_me",
    ("GET", "/api/v1/orgs"): "list_orgs",
    ("POST", "/api/v1/orgs"): "create_org",
    ("GET", "/api/v1/orgs/{org_id}"): "get_org",
    ("PATCH", "/api/v1/orgs/{org_id}"): "update_org",
    ("POST", "/api/v1/orgs/{org_id}/partner-activation"): "activate_partner",
    ("POST", "/api/v1/orgs/{org_id}/sub-orgs"): "create_sub_org",
    ("GET", "/api/v1/orgs/{org_id}/sub-orgs"): "list_sub_orgs",
    ("GET", "/api/v1/orgs/{org_id}/users"): "list_users",
    ("PATCH", "/api/v1/orgs/{org_id}/users/{user_id}"): "update_user",
    ("DELETE", "/api/v1/orgs/{org_id}/users/{user_id}"): "remove_user",
    ("POST", "/api/v1/orgs/{org_id}/primary-admin"): "transfer_primary_admin",
    ("POST", "/api/v1/orgs/{org_id}/invitations"): "create_invitation",
    ("GET", "/api/v1/orgs/{org_id}/invitations"): "list_invitations",
    ("DELETE", "/api/v1/orgs/{org_id}/invitations/{invitation_id}"): "revoke_invitation",
    ("POST", "/api/v1/invitations/accept"): "accept_invitation",
    ("GET", "/api/v1/orgs/{org_id}/access"): "get_access_settings",
    ("PUT", "/api/v1/orgs/{org_id}/access"): "set_access_settings",
    ("POST", "/api/v1/orgs/{org_id}/licenses"): "grant_license",
    ("GET", "/api/v1/orgs/{org_id}/licenses"): "list_licenses",
    ("PATCH", "/api/v1/orgs/{org_id}/licenses/{license_id}"): "update_license",
    ("PUT", "/api/v1/orgs/{org_id}/license-source"): "set_license_source",
    ("PUT", "/api/v1/orgs/{org_id}/quotas/{sku}"): "set_quota",
    ("POST", "/api/v1/orgs/{org_id}/usage"): "report_usage",
    ("GET", "/api/v1/orgs/{org_id}/license-report"): "get_license_report",
    ("GET", "/api/v1/orgs/{org_id}/branding"): "get_branding",
    ("PUT", "/api/v1/orgs/{org_id}/branding"): "save_branding_draft",
    ("POST", "/api/v1/orgs/{org_id}/branding/publish"): "publish_branding",
    ("PUT", "/api/v1/orgs/{org_id}/branding/logo"): "upload_brand_logo",
    ("PUT", "/api/v1/orgs/{org_id}/branding/favicon"): "upload_brand_favicon",
    ("GET", "/api/v1/public/branding"): "get_public_branding",
    ("GET", "/api/v1/orgs/{org_id}/audit-events"): "list_org_audit_events",
}


def test_openapi_document_is_valid_and_stable(client) -> None:  # type: ignore[no-untyped-def]
    document = client.get("/openapi.json").json()
    assert document["openapi"].startswith("3.")
    # Against the OpenAPI 3.x meta-schema (raises with the first problem).
    schemathesis.openapi.from_dict(document).validate()

    operations = {
        (method.upper(), path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }
    ids = [operation.get("operationId") for operation in operations.values()]
    assert all(ids), "every operation has an operationId"
    assert len(set(ids)) == len(ids), "operationIds are unique"
    # Set explicitly on every route (FastAPI's own would read like
    # get_org_api_v1_orgs__org_id__get and change with the function's name).
    for operation_id in ids:
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*", operation_id), operation_id
    for key, operation_id in CONTRACT.items():
        assert key in operations, f"{key} of API.md is in the document"
        assert operations[key]["operationId"] == operation_id, key

    public = {
        ("POST", "/api/v1/auth/login"),
        ("POST", "/api/v1/auth/login/mfa"),  # the challenge is the credential
        ("POST", "/api/v1/auth/login/mfa/passkey-options"),
        ("POST", "/api/v1/auth/password-reset"),
        ("POST", "/api/v1/auth/password-reset/confirm"),
        ("POST", "/api/v1/auth/email-confirmation/confirm"),
        ("POST", "/api/v1/invitations/accept"),
    }
    for key, operation in operations.items():
        if key in public or key[1].startswith("/api/v1/public/"):
            assert operation.get("security") == [], f"{key} is public"
        else:
            assert operation.get("security") == [{"HTTPBearer": []}], f"{key} needs a token"
            assert "401" in operation["responses"], f"{key} documents 401"
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                content = response.get("content", {}).get("application/json", {})
                assert content.get("schema") == {"$ref": "#/components/schemas/ErrorResponse"}, (
                    f"{key} {status} is documented with the error shape"
                )
            if status == "204":
                assert "content" not in response, f"{key} 204 has no body"
