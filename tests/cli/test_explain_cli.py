"""`tenantree explain`: a person's access to an org, and why, from the command line."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from factories import build_world
from tenantree.cli.main import app


@pytest.fixture
def world(upgraded, identity):  # type: ignore[no-untyped-def]
    engine = create_engine(f"sqlite:///{upgraded}")
    with Session(engine) as session:
        world = build_world(session, identity, refuse_s=True)
        session.commit()
        names = {"S": str(world.S.id), "S_sfid": world.S.salesforce_id}
    engine.dispose()
    return names


def test_explain_prints_the_decision_and_its_reason(runner, world):  # type: ignore[no-untyped-def]
    result = runner.invoke(
        app,
        [
            "explain",
            "--user",
            "p-a@example.com",
            "--org",
            world["S"],
            "--permission",
            "org:users:manage",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "org:users:manage: allowed [role_grants]" in result.output
    assert "partner staff of Partner P" in result.output
    assert "does not apply to partner staff" in result.output


def test_explain_names_the_org_by_salesforce_id_and_says_why_a_refusal(runner, world):  # type: ignore[no-untyped-def]
    result = runner.invoke(
        app,
        [
            "explain",
            "--user",
            "s-a@example.com",
            "--org",
            world["S_sfid"],
            "--permission",
            "org:view",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    (line,) = result.output.strip().splitlines()
    decision = json.loads(line)
    assert decision["allowed"] is False and decision["code"] == "customer_access_refused"
    assert decision["rule"] == "blocked" and decision["path"]["kind"] == "member"


def test_explain_without_a_permission_answers_every_one(runner, world):  # type: ignore[no-untyped-def]
    result = runner.invoke(app, ["explain", "--user", "p-x@example.com", "--org", world["S"]])
    assert result.exit_code == 0, result.output
    assert result.output.count("refused (not visible) [no_path]") == len(
        [line for line in result.output.splitlines() if not line.startswith(" ")]
    )


def test_explain_an_unknown_person_is_an_error(runner, world):  # type: ignore[no-untyped-def]
    result = runner.invoke(app, ["explain", "--user", "nobody@example.com", "--org", world["S"]])
    assert result.exit_code == 1
    assert "no account has the email" in result.output
