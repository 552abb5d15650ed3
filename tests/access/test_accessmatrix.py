"""The ACCESS.md reader refuses what the tests would not know how to check."""

from __future__ import annotations

from pathlib import Path

import pytest

from access.accessmatrix import (
    ACCESS_MD,
    ALLOWED,
    FORBIDDEN,
    PARTNER,
    SUB_ORG,
    MatrixError,
    cases,
    load_credentials,
    load_matrix,
)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ACCESS.md"
    path.write_text(text, encoding="utf-8")
    return path


def _edited(tmp_path: Path, old: str, new: str) -> Path:
    text = ACCESS_MD.read_text(encoding="utf-8")
    assert old in text, old
    return _write(tmp_path, text.replace(old, new, 1))


def test_reads_both_tables_of_access_md():
    matrix = load_matrix()
    assert set(matrix) == {SUB_ORG, PARTNER}
    assert matrix[SUB_ORG]["list S's users"]["P-U"] == "403"


def test_s_pa_only_means_s_pa_allowed_and_s_a_forbidden():
    expected = {
        c.actor: c.expected
        for c in cases(load_matrix(), SUB_ORG)
        if c.action == "transfer S's primary admin" and c.column == "S-PA/S-A"
    }
    assert expected == {"S-PA": ALLOWED, "S-A": FORBIDDEN}


def test_customer_may_brand_cell_becomes_one_case_per_setting():
    observed = {
        (c.actor, c.customer_may_brand): c.expected
        for c in cases(load_matrix(), SUB_ORG)
        if c.action == "change S's brand" and c.column == "S-PA/S-A"
    }
    assert observed == {
        ("S-PA", True): ALLOWED,
        ("S-PA", False): FORBIDDEN,
        ("S-A", True): ALLOWED,
        ("S-A", False): FORBIDDEN,
    }


def test_s_refused_column_is_s_a_in_a_refused_world():
    refused = [c for c in cases(load_matrix()) if c.column == "S-refused"]
    assert refused
    assert {(c.actor, c.refuse_s) for c in refused} == {("S-A", True)}


def test_unknown_column_is_an_error(tmp_path):
    path = _edited(tmp_path, "| S-refused | T-A |", "| S-gone | T-A |")
    with pytest.raises(MatrixError, match="columns"):
        load_matrix(path)


def test_unknown_cell_is_an_error(tmp_path):
    path = _edited(tmp_path, "| list S's users | ✓ |", "| list S's users | maybe |")
    with pytest.raises(MatrixError, match="maybe"):
        load_matrix(path)


def test_conditional_cell_outside_the_s_admins_column_is_an_error(tmp_path):
    path = _edited(tmp_path, "| list S's users | ✓ |", "| list S's users | S-PA only |")
    with pytest.raises(MatrixError, match="cannot read"):
        cases(load_matrix(path))


def test_unknown_table_is_an_error(tmp_path):
    text = ACCESS_MD.read_text(encoding="utf-8")
    extra = "\n## Sibling T\n| action | OP |\n|---|---|\n| view T | ✓ |\n"
    with pytest.raises(MatrixError, match="Sibling T"):
        load_matrix(_write(tmp_path, text + extra))


def test_lost_table_is_an_error(tmp_path):
    text = ACCESS_MD.read_text(encoding="utf-8")
    path = _write(tmp_path, text[: text.index("## Partner P")])
    with pytest.raises(MatrixError, match="lost the table"):
        load_matrix(path)


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(MatrixError, match="not found"):
        load_matrix(tmp_path / "ACCESS.md")


def test_actor_column_not_defined_under_actors_is_an_error(tmp_path):
    text = ACCESS_MD.read_text(encoding="utf-8")
    path = _write(tmp_path, text.replace("| T-A | admin of sibling T |\n", ""))
    with pytest.raises(MatrixError, match=r"not defined under ## Actors: \['T-A'\]"):
        load_matrix(path)


def _with_column(text: str, section: str, actor: str, cell: str) -> str:
    """The text with one more actor column, `cell` in every row, in `section`'s table."""
    lines, inside = [], False
    for line in text.splitlines():
        if line.startswith("## "):
            inside = line == f"## {section}"
        if inside and line.startswith("|---"):
            line += "---|"
        elif inside and line.startswith("|"):
            line += f" {actor if line.startswith('| action |') else cell} |"
        lines.append(line)
    return "\n".join(lines) + "\n"


def test_defined_actor_the_tests_do_not_know_is_named_in_the_error(tmp_path):
    text = ACCESS_MD.read_text(encoding="utf-8")
    text = text.replace(
        "| anon | no or invalid token |", "| V-A | admin of V |\n| anon | no or invalid token |"
    )
    path = _write(tmp_path, _with_column(text, "Partner P", "V-A", "404"))
    with pytest.raises(MatrixError, match=r"teach them \['V-A'\]"):
        load_matrix(path)


def test_credential_kinds_name_the_actor_each_credential_acts_as():
    credentials = load_credentials()
    assert credentials["API token"]["S-PA"] == "S-A"
    assert credentials["SSO session"]["OP"] == "—"


def test_unknown_credential_cell_is_an_error(tmp_path):
    path = _edited(tmp_path, "| API token | U-A |", "| API token | maybe |")
    with pytest.raises(MatrixError, match="maybe"):
        load_credentials(path)


def test_unknown_credential_kind_is_an_error(tmp_path):
    path = _edited(tmp_path, "| SCIM token |", "| carrier pigeon |")
    with pytest.raises(MatrixError, match="carrier pigeon"):
        load_credentials(path)


def test_missing_credential_kinds_table_is_an_error(tmp_path):
    path = _edited(tmp_path, "## Credential kinds", "## Credentials, elsewhere")
    with pytest.raises(MatrixError, match="Credential kinds"):
        load_credentials(path)
