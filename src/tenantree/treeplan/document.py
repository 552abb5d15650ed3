"""The tree file: its models, reading and writing it.

Orgs are keyed by their Salesforce account ID (15 or 18 characters; stored
and compared in the 18-character form). A section left out of an org is not
managed by the file: `plan` neither creates nor removes what it would hold.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from tenantree.branding.fields import TEXT_FIELDS
from tenantree.branding.validation import draft_values
from tenantree.errors import DomainError, Invalid
from tenantree.licensing.policies import LicenseSource, LicenseStatus, OveragePolicy
from tenantree.orgs.kinds import CustomerAccess, Edition, OrgStatus, PartnerType
from tenantree.orgs.salesforce import normalize_account_id, normalize_record_id

FORMAT_VERSION = 1
# libyaml's loader and dumper when PyYAML was built with it (its wheels are):
# the pure-Python ones take seconds over a thousand sub-orgs.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
Name = Annotated[str, Field(min_length=1, max_length=200)]
Sku = Annotated[str, Field(min_length=1, max_length=64)]
# The shape only: the services check an address fully where they use it (an
# invitation), and a full check of every listed partner user costs seconds
# over a thousand sub-orgs.
Email = Annotated[str, Field(max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


class Strict(BaseModel):
    # A misspelt key is an error, not a silently ignored setting.
    model_config = ConfigDict(extra="forbid", frozen=True)


def _salesforce_id(value: str) -> str:
    try:
        return normalize_account_id(value)
    except Invalid as exc:
        raise ValueError(exc.message) from exc


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


class LicenseSpec(Strict):
    """A license the org holds; matched to the database's by (sku, starts_at)."""

    sku: Sku
    unit: Annotated[str, Field(min_length=1, max_length=32)]
    quantity: Annotated[int, Field(ge=0)]
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    overage_policy: OveragePolicy = OveragePolicy.BLOCK
    status: LicenseStatus = LicenseStatus.ACTIVE
    salesforce_contract_id: Annotated[str | None, Field(min_length=15, max_length=18)] = None

    _utc_times = field_validator("starts_at", "ends_at")(_utc)

    @field_validator("salesforce_contract_id")
    @classmethod
    def _contract_id(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return normalize_record_id(value, field="salesforce_contract_id")
        except Invalid as exc:
            raise ValueError(exc.message) from exc

    @model_validator(mode="after")
    def _term(self) -> LicenseSpec:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self

    @property
    def key(self) -> tuple[str, datetime]:
        return (self.sku, self.starts_at)


class AccessSpec(Strict):
    """A sub-org's access settings, as its partner's primary admin sets them."""

    customer_access: CustomerAccess = CustomerAccess.PERMITTED
    # "all": every partner user; a list: only these partner users (by email),
    # and the partner's primary admin, always.
    partner_users: Literal["all"] | list[Email] = "all"
    customer_may_brand: bool = False

    @field_validator("partner_users")
    @classmethod
    def _sorted_emails(cls, value: Any) -> Any:
        if isinstance(value, list):
            return sorted({str(v).lower() for v in value})
        return value


class BrandSpec(Strict):
    """The published brand's text fields; a field left out (null) is inherited."""

    product_name: str | None = None
    primary_color: str | None = None
    accent_color: str | None = None
    support_email: str | None = None
    support_url: str | None = None
    email_from_name: str | None = None
    email_from_address: str | None = None
    sign_in_message: str | None = None
    custom_domain: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _normalized(cls, data: Any) -> Any:
        """As the branding service stores them (colors in lower case, text trimmed),
        so a file written by hand compares equal to what apply made of it."""
        if not isinstance(data, dict):
            return data
        given = {k: v for k, v in data.items() if k in TEXT_FIELDS and isinstance(v, str)}
        try:
            clean = draft_values(given, platform_hosts=frozenset())
        except DomainError as exc:
            raise ValueError(f"{exc.field}: {exc.message}") from exc
        return {**data, **clean}


class OrgSpec(Strict):
    salesforce_id: Annotated[str, Field(min_length=15, max_length=18)]
    name: Name
    edition: Edition | None = None
    status: OrgStatus = OrgStatus.ACTIVE
    # Invited as primary admin when the file creates the org (ignored after).
    primary_admin_email: Email | None = None
    licenses: list[LicenseSpec] | None = None
    brand: BrandSpec | None = None

    _sfid = field_validator("salesforce_id")(_salesforce_id)

    @field_validator("licenses")
    @classmethod
    def _distinct_licenses(cls, value: list[LicenseSpec] | None) -> list[LicenseSpec] | None:
        seen: set[tuple[str, datetime]] = set()
        for license_ in value or ():
            if license_.key in seen:
                raise ValueError(
                    f"two licenses of {license_.sku} start at {license_.starts_at.isoformat()}; "
                    "a license is known by its sku and starts_at"
                )
            seen.add(license_.key)
        return value


class CustomerSpec(OrgSpec):
    """A partner's customer: the sub-org of a partner, at any tier."""

    customer_name: Name
    license_source: LicenseSource | None = None
    # Per SKU, the most units this sub-org may draw from its partner's pool.
    quotas: dict[Sku, Annotated[int, Field(ge=0)]] | None = None
    access: AccessSpec | None = None


class SubOrgSpec(CustomerSpec):
    """A top-level partner's sub-org; a distributor's may be a tier-2 partner
    (partner_type msp or reseller) with customers of its own."""

    partner_type: PartnerType | None = None
    sub_orgs: list[CustomerSpec] = []

    @model_validator(mode="after")
    def _tier_two_partner(self) -> SubOrgSpec:
        if self.partner_type == PartnerType.DISTRIBUTOR:
            raise ValueError("a sub-org's partner_type is msp or reseller (tier 2)")
        if self.sub_orgs and self.partner_type is None:
            raise ValueError("sub_orgs need a partner_type (msp or reseller)")
        return self


class PartnerSpec(OrgSpec):
    """A top-level org: a partner (partner_type set) or a standard org (null).
    In a tier-2 partner's own export (its admin does not reach its distributor)
    the tier-2 partner itself, with its own fields only, and its customers."""

    partner_type: PartnerType | None = None
    sub_orgs: list[SubOrgSpec] = []

    @model_validator(mode="after")
    def _only_partners_have_sub_orgs(self) -> PartnerSpec:
        if self.sub_orgs and self.partner_type is None:
            raise ValueError("sub_orgs need a partner_type (msp, reseller or distributor)")
        if self.partner_type != PartnerType.DISTRIBUTOR:
            for sub in self.sub_orgs:
                if sub.partner_type is not None:
                    raise ValueError(
                        f"sub-org {sub.salesforce_id} has a partner_type: only a "
                        "distributor's customers can be partners (tier 2)"
                    )
        return self


class Tree(Strict):
    """A tenantree org tree: partners and standard orgs, with their sub-orgs
    (a distributor's tier-2 partners with their customers)."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="tenantree tree",
        json_schema_extra={"$id": "https://tenantree.example/schemas/tree.schema.json"},
    )

    version: Literal[1] = FORMAT_VERSION
    orgs: list[PartnerSpec] = []

    @model_validator(mode="after")
    def _salesforce_ids_unique(self) -> Tree:
        seen: set[str] = set()
        for org in self.all_orgs():
            if org.salesforce_id in seen:
                raise ValueError(f"Salesforce ID {org.salesforce_id} is used by two orgs")
            seen.add(org.salesforce_id)
        return self

    def all_orgs(self) -> list[OrgSpec]:
        """Every org of the file, each followed by its sub-orgs (a tier-2 partner
        by its customers)."""
        found: list[OrgSpec] = []
        for top in self.orgs:
            found.append(top)
            for sub in top.sub_orgs:
                found += [sub, *sub.sub_orgs]
        return found


class TreeFileError(Invalid):
    """The file is not a valid tree; `field` is the path of the first fault."""


def _location(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + item)
    return "".join(parts)


def parse_tree(text: str) -> Tree:
    """Read a tree from YAML (or JSON) text. Errors name the field's path."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise TreeFileError(f"not a YAML document: {exc}", field="file") from exc
    if data is None:
        data = {}
    try:
        return Tree.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        lines = [f"{_location(e['loc']) or 'file'}: {e['msg']}" for e in errors]
        first = _location(errors[0]["loc"]) or "file"
        raise TreeFileError("; ".join(lines), field=first) from exc


def dump_tree(tree: Tree) -> str:
    """The tree as YAML, leaving out what is at its default."""
    data = tree.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    data = {"version": FORMAT_VERSION, **data}
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def json_schema() -> str:
    """The JSON Schema of the file, as published in docs/schemas/tree.schema.json."""
    schema = Tree.model_json_schema(mode="validation")
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
    return json.dumps(schema, indent=2, sort_keys=False) + "\n"
