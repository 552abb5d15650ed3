"""Reading and writing the tree file: validation names the field, the schema is published."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tenantree.treeplan.document import TreeFileError, dump_tree, json_schema, parse_tree
from treeplan.trees import generated_tree, sfid

SCHEMA_FILE = Path(__file__).parents[2] / "docs" / "schemas" / "tree.schema.json"


def _refusal(text: str) -> TreeFileError:
    with pytest.raises(TreeFileError) as caught:
        parse_tree(text)
    return caught.value


def test_a_wrong_edition_is_named_by_its_path() -> None:
    error = _refusal(f"orgs:\n- salesforce_id: {sfid(1)}\n  name: Acme\n  edition: gold\n")
    assert error.field == "orgs[0].edition"
    assert "orgs[0].edition" in error.message


def test_a_misspelt_key_is_refused_not_ignored() -> None:
    error = _refusal(f"orgs:\n- salesforce_id: {sfid(1)}\n  name: Acme\n  partnr_type: msp\n")
    assert error.field == "orgs[0].partnr_type"


def test_a_bad_salesforce_id_names_the_sub_org() -> None:
    text = (
        f"orgs:\n- salesforce_id: {sfid(1)}\n  name: MSP\n  partner_type: msp\n"
        "  sub_orgs:\n  - salesforce_id: 001TREE00000001XXX\n    name: A\n    customer_name: A\n"
    )
    error = _refusal(text)
    assert error.field == "orgs[0].sub_orgs[0].salesforce_id"
    assert "checksum" in error.message


def test_a_license_ending_before_it_starts_is_refused() -> None:
    text = (
        f"orgs:\n- salesforce_id: {sfid(1)}\n  name: Acme\n  licenses:\n"
        "  - {sku: backup, unit: tb, quantity: 1, starts_at: '2026-02-01T00:00:00Z', "
        "ends_at: '2026-01-01T00:00:00Z'}\n"
    )
    error = _refusal(text)
    assert error.field == "orgs[0].licenses[0]"
    assert "ends_at must be after starts_at" in error.message


def test_a_license_time_without_a_zone_is_refused() -> None:
    text = (
        f"orgs:\n- salesforce_id: {sfid(1)}\n  name: Acme\n  licenses:\n"
        "  - {sku: backup, unit: tb, quantity: 1, starts_at: '2026-01-01T00:00:00', "
        "ends_at: '2027-01-01T00:00:00Z'}\n"
    )
    assert _refusal(text).field == "orgs[0].licenses[0].starts_at"


def test_one_salesforce_id_on_two_orgs_is_refused() -> None:
    text = (
        f"orgs:\n- {{salesforce_id: {sfid(1)}, name: A}}\n"
        f"- {{salesforce_id: '{sfid(1)[:15]}', name: B}}\n"
    )
    assert "used by two orgs" in _refusal(text).message


def test_sub_orgs_need_a_partner_type() -> None:
    text = (
        f"orgs:\n- salesforce_id: {sfid(1)}\n  name: Acme\n  sub_orgs:\n"
        f"  - {{salesforce_id: {sfid(2)}, name: B, customer_name: B}}\n"
    )
    assert "partner_type" in _refusal(text).message


def test_text_that_is_not_yaml_is_refused() -> None:
    assert _refusal("orgs: [unclosed").field == "file"


def test_a_15_character_id_is_read_in_its_18_character_form() -> None:
    tree = parse_tree(f"orgs:\n- {{salesforce_id: '{sfid(1)[:15]}', name: A}}\n")
    assert tree.orgs[0].salesforce_id == sfid(1)


def test_dumping_and_reading_give_back_the_same_tree() -> None:
    tree = generated_tree(5)
    assert parse_tree(dump_tree(tree)) == tree


def test_the_published_schema_is_the_generated_one() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == json_schema(), (
        "regenerate it: python -m tenantree.treeplan.schema > docs/schemas/tree.schema.json"
    )


def test_the_schema_validates_a_dumped_tree() -> None:
    import jsonschema_rs
    import yaml

    validator = jsonschema_rs.validator_for(json.loads(json_schema()))
    assert validator.is_valid(yaml.safe_load(dump_tree(generated_tree(3))))
    assert not validator.is_valid({"orgs": [{"name": "no salesforce id"}]})


def test_the_readme_example_is_a_valid_tree() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Tree as code", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    tree = parse_tree(example)
    assert [o.name for o in tree.all_orgs()] == [
        "Northwind MSP",
        "Contoso",
        "Globex Corporation",
        "Contoso Distribution",
        "Fabrikam IT",
        "Litware",
    ]


def test_brand_values_are_read_as_the_branding_service_stores_them() -> None:
    tree = parse_tree(
        f"orgs:\n- salesforce_id: {sfid(1)}\n  name: Acme\n"
        "  brand: {primary_color: '#7C2D12', product_name: '  Acme Cloud '}\n"
    )
    brand = tree.orgs[0].brand
    assert brand is not None
    assert (brand.primary_color, brand.product_name) == ("#7c2d12", "Acme Cloud")


def test_a_brand_color_without_contrast_is_refused_with_its_field() -> None:
    error = _refusal(
        f"orgs:\n- salesforce_id: {sfid(1)}\n  name: Acme\n  brand: {{primary_color: '#ffffff'}}\n"
    )
    assert error.field == "orgs[0].brand"
    assert "primary_color" in error.message
