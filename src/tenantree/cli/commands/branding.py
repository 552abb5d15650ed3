"""`tenantree branding show|draft|publish`: an org's brand, saved as a draft and
published when ready. `draft` changes only the fields given (the API replaces
the whole draft: the command reads it first); `--clear FIELD` makes a field
inherit again (from the partner, then the platform). `logo` and `favicon`
upload an image file (PNG or SVG) into the draft, or `--clear` it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tenantree.branding.fields import TEXT_FIELDS
from tenantree.cli import resolve
from tenantree.cli.connection import ApiUrlOpt, backend, usage_error
from tenantree.cli.output import OutputOpt, emit
from tenantree.cli.resolve import OrgArg

branding_app = typer.Typer(
    help="An org's brand: show, draft, logo, favicon, publish.", no_args_is_help=True
)

BRANDING_COLUMNS = ["org_id", "unpublished_changes", "draft", "published"]


@branding_app.command("show")
def show(org: OrgArg, output: OutputOpt = None, api_url: ApiUrlOpt = None) -> None:
    """The brand's draft and published versions."""
    with backend(api_url) as b:
        emit(b.get_branding(resolve.org_id(b, org)), BRANDING_COLUMNS, output)


@branding_app.command("draft")
def draft(
    org: OrgArg,
    product_name: Annotated[str | None, typer.Option(help="The product's name")] = None,
    primary_color: Annotated[str | None, typer.Option(help="#rrggbb, 4.5:1 on white")] = None,
    accent_color: Annotated[str | None, typer.Option(help="#rrggbb, 3:1 on white")] = None,
    support_email: Annotated[str | None, typer.Option()] = None,
    support_url: Annotated[str | None, typer.Option()] = None,
    email_from_name: Annotated[str | None, typer.Option()] = None,
    email_from_address: Annotated[str | None, typer.Option()] = None,
    sign_in_message: Annotated[str | None, typer.Option()] = None,
    custom_domain: Annotated[str | None, typer.Option(help="Claimed when saved")] = None,
    clear: Annotated[
        list[str] | None, typer.Option(metavar="FIELD", help="Let this field inherit again")
    ] = None,
    output: OutputOpt = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Change fields of the draft (nothing is shown to users until `publish`)."""
    given = {
        "product_name": product_name,
        "primary_color": primary_color,
        "accent_color": accent_color,
        "support_email": support_email,
        "support_url": support_url,
        "email_from_name": email_from_name,
        "email_from_address": email_from_address,
        "sign_in_message": sign_in_message,
        "custom_domain": custom_domain,
    }
    unknown = sorted(set(clear or []) - set(TEXT_FIELDS))
    if unknown:
        usage_error(f"--clear takes one of {', '.join(TEXT_FIELDS)}; not {', '.join(unknown)}")
    with backend(api_url) as b:
        target = resolve.org_id(b, org)
        current = b.get_branding(target)["draft"] or {}
        fields = {f: current.get(f) for f in TEXT_FIELDS}
        fields |= {f: v for f, v in given.items() if v is not None}
        fields |= dict.fromkeys(clear or [])
        emit(b.save_branding_draft(target, fields), BRANDING_COLUMNS, output)


@branding_app.command("publish")
def publish(org: OrgArg, output: OutputOpt = None, api_url: ApiUrlOpt = None) -> None:
    """Publish the draft: users see it from now on."""
    with backend(api_url) as b:
        emit(b.publish_branding(resolve.org_id(b, org)), BRANDING_COLUMNS, output)


@branding_app.command("verify-domain")
def verify_domain(
    org: OrgArg,
    hostname: Annotated[
        str | None, typer.Argument(help="Which claim (default: the draft's custom domain)")
    ] = None,
    output: OutputOpt = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Look up the custom domain's TXT record (refused while it is not published)."""
    with backend(api_url) as b:
        claim = b.verify_brand_domain(resolve.org_id(b, org), hostname)
        emit(claim, ["hostname", "status", "txt_record_name", "txt_record_value"], output)


ASSET_COLUMNS = ["kind", "url", "content_type", "size", "sha256", "sanitized_removed"]
IMAGE_TYPES = {".png": "image/png", ".svg": "image/svg+xml"}
ImageFile = Annotated[
    Path | None, typer.Argument(metavar="FILE", help="The image: a .png or .svg file")
]
Clear = Annotated[bool, typer.Option("--clear", help="Drop the draft's image: it inherits again")]


def _image(
    kind: str, org: str, file: Path | None, clear: bool, output: str | None, api_url: str | None
) -> None:
    if clear == (file is not None):
        usage_error(f"give the {kind}'s FILE or --clear (one of them)")
    if file is not None:
        content_type = IMAGE_TYPES.get(file.suffix.lower())
        if content_type is None:
            usage_error(f"{file.name}: a {kind} is a .png or .svg file")
        try:
            data = file.read_bytes()
        except OSError as exc:
            usage_error(f"cannot read {file}: {exc.strerror}")
    with backend(api_url) as b:
        target = resolve.org_id(b, org)
        if file is None:
            emit(b.clear_brand_image(target, kind), BRANDING_COLUMNS, output)
            return
        asset = b.upload_brand_image(
            target, kind, data, content_type=content_type, filename=file.name
        )
        emit(asset, ASSET_COLUMNS, output)


@branding_app.command("logo")
def logo(
    org: OrgArg,
    file: ImageFile = None,
    clear: Clear = False,
    output: OutputOpt = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Upload FILE as the draft's logo (checked and sanitised as by the API), or --clear it."""
    _image("logo", org, file, clear, output, api_url)


@branding_app.command("favicon")
def favicon(
    org: OrgArg,
    file: ImageFile = None,
    clear: Clear = False,
    output: OutputOpt = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Upload FILE as the draft's favicon, or --clear it."""
    _image("favicon", org, file, clear, output, api_url)
