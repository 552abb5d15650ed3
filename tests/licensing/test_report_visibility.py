"""What each role of the isolation matrix may see of the license reports, field
by field, and the period form (peak and time-weighted average per org and SKU).

Figures chosen so that they cannot turn up by accident: the pool of 7919,
T's use of 4241, the pool's use 5542 and remaining 2377 must never reach S's
own users, in JSON, CSV, error bodies or audit events.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from licensing_support import Api, assert_figures_absent

from factories import World, build_world

S_USE = 1301
T_USE = 4241
QUANTITY = 7919
POOL_USED = S_USE + T_USE  # 5542
REMAINING = QUANTITY - POOL_USED  # 2377
S_QUOTA = 5000
BACKUP_QUANTITY = 6007  # allow_and_flag
T_BACKUP_USE = 6000
S_BACKUP_USE = 1009
# S holds a license of its own too, unused while it draws on P's pool.
OWN_QUANTITY, OWN_USE = 37, 0

HIDDEN_FROM_S = {
    "pool quantity": QUANTITY,
    "T's use": T_USE,
    "pool used": POOL_USED,
    "pool remaining": REMAINING,
    "backup quantity": BACKUP_QUANTITY,
    "T's backup use": T_BACKUP_USE,
    "backup pool used": T_BACKUP_USE + S_BACKUP_USE,
    "backup overage": T_BACKUP_USE + S_BACKUP_USE - BACKUP_QUANTITY,
}

CHILD_TOP_KEYS = {
    "view",
    "org_id",
    "org_name",
    "license_source",
    "generated_at",
    "period",
    "items",
}
# The quota's run-out is the org's own figure (from its own use and quota).
SHARED_ITEM_KEYS = {
    "sku",
    "unit",
    "source",
    "used",
    "quota",
    "quota_remaining",
    "quota_runs_out_on",
}
POOL_KEYS = {"quantity", "used", "remaining", "over_quantity", "overage_allowed", "runs_out_on"}


@dataclass
class Scene:
    api: Api
    world: World
    licenses: dict[str, dict]

    @property
    def hidden_strings(self) -> list[str]:
        """Ids and names S's own users must never see (P's id is S's parent_id)."""
        w = self.world
        return [
            str(w.T.id),
            w.T.name,
            self.licenses["mon"]["id"],
            self.licenses["backup"]["id"],
        ]


@pytest.fixture
def scene(api, world) -> Scene:  # type: ignore[no-untyped-def]
    licenses = {
        "mon": api.grant_ok(world.P.id, sku="mon", quantity=QUANTITY),
        "backup": api.grant_ok(
            world.P.id, sku="backup", quantity=BACKUP_QUANTITY, overage_policy="allow_and_flag"
        ),
        "own": api.grant_ok(world.S.id, sku="extra", unit="users", quantity=OWN_QUANTITY),
    }
    assert api.set_quota(world.S.id, "P-A", S_QUOTA).status_code == 200
    api.use_ok(world.T.id, "T-A", add=T_USE)
    api.use_ok(world.S.id, "S-U", add=S_USE)
    api.use_ok(world.T.id, "T-A", sku="backup", add=T_BACKUP_USE)
    over = api.use(world.S.id, "S-U", sku="backup", add=S_BACKUP_USE)
    # S's own users are not told the partner's pool went over (null).
    assert over.status_code == 200 and over.json()["over_quantity"] is None, over.text
    return Scene(api, world, licenses)


def items_by_sku(report: dict) -> dict[str, dict]:
    return {item["sku"]: item for item in report["items"]}


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def assert_nothing_hidden(scene: Scene, text: str) -> None:
    assert_figures_absent(text, HIDDEN_FROM_S)
    for hidden in scene.hidden_strings:
        assert hidden not in text, f"{hidden!r} leaked into: {text}"


# --- The child view (S's report) ---------------------------------------------


@pytest.mark.parametrize("actor", ["S-PA", "S-A"])
def test_sub_org_admins_see_only_their_own_use_and_quota(scene, actor):
    response = scene.api.report(scene.world.S.id, actor)
    assert response.status_code == 200, response.text
    report = response.json()
    assert set(report) == CHILD_TOP_KEYS
    assert report["view"] == "child"
    assert report["org_id"] == str(scene.world.S.id)
    assert report["license_source"] == "parent_pool"
    assert report["period"] is None

    items = items_by_sku(report)
    assert set(items) == {"mon", "backup", "extra"}
    assert set(items["mon"]) == SHARED_ITEM_KEYS  # no pool, no licenses
    assert items["mon"] == {
        "sku": "mon",
        "unit": "devices",
        "source": "parent_pool",
        "used": S_USE,
        "quota": S_QUOTA,
        "quota_remaining": S_QUOTA - S_USE,
        "quota_runs_out_on": None,  # no history: no trend
    }
    assert set(items["backup"]) == SHARED_ITEM_KEYS
    assert items["backup"]["used"] == S_BACKUP_USE
    assert items["backup"]["quota"] is None and items["backup"]["quota_remaining"] is None

    # A license S holds itself: its quantity and remaining are S's to see.
    own = items["extra"]
    assert own["source"] == "own" and own["used"] == OWN_USE
    assert set(own["pool"]) == POOL_KEYS
    assert own["pool"]["quantity"] == OWN_QUANTITY
    assert own["pool"]["remaining"] == OWN_QUANTITY - OWN_USE
    assert [lic["id"] for lic in own["licenses"]] == [scene.licenses["own"]["id"]]

    assert_nothing_hidden(scene, response.text)


@pytest.mark.parametrize("actor", ["S-PA", "S-A"])
def test_sub_org_admins_csv_carries_no_pool_figure(scene, actor):
    response = scene.api.report(scene.world.S.id, actor, format="csv")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = {row["sku"]: row for row in csv_rows(response.text)}
    assert set(rows) == {"mon", "backup", "extra"}
    assert rows["mon"]["used"] == str(S_USE)
    assert rows["mon"]["quota_remaining"] == str(S_QUOTA - S_USE)
    assert rows["mon"]["quantity"] == rows["mon"]["remaining"] == ""
    assert rows["backup"]["quantity"] == rows["backup"]["remaining"] == ""
    assert rows["extra"]["quantity"] == str(OWN_QUANTITY)
    assert_nothing_hidden(scene, response.text)


@pytest.mark.parametrize("actor", ["S-PA", "S-A"])
def test_sub_org_admins_period_report_carries_no_pool_figure(scene, actor):
    today = datetime.now(UTC).date()
    period = {"from": str(today - timedelta(days=30)), "to": str(today)}
    for fmt in ("json", "csv"):
        response = scene.api.report(scene.world.S.id, actor, format=fmt, **period)
        assert response.status_code == 200, response.text
        if fmt == "json":
            items = items_by_sku(response.json())
            assert set(items["mon"]) == SHARED_ITEM_KEYS | {"period_use"}
            assert items["mon"]["period_use"]["peak"] == S_USE
        assert_nothing_hidden(scene, response.text)


@pytest.mark.parametrize("actor", ["S-U", "S-A"])
def test_refusals_to_sub_org_users_carry_no_pool_figure(scene, actor):
    api, S = scene.api, scene.world.S
    bodies = []
    # The pool cannot cover it (S's quota could): only the quota's remainder is told.
    exhausted = api.use(S.id, actor, add=REMAINING + 23)
    assert exhausted.status_code == 409, exhausted.text
    error = exhausted.json()["error"]
    assert error["code"] == "pool_exhausted"
    assert error["quota_remaining"] == S_QUOTA - S_USE
    assert "remaining" not in error
    bodies.append(exhausted.text)

    # Over the quota.
    over_quota = api.use(S.id, actor, add=S_QUOTA)
    assert over_quota.status_code == 409
    assert over_quota.json()["error"]["code"] == "quota_exceeded"
    bodies.append(over_quota.text)

    # Without a quota, nothing at all is told.
    assert api.set_quota(S.id, "P-A", None).status_code == 200
    bare = api.use(S.id, actor, set=QUANTITY + 1)
    assert bare.status_code == 409
    assert set(bare.json()["error"]) == {"code", "message", "field"}
    bodies.append(bare.text)

    # Releasing more than S uses, and a SKU P does not hold.
    bodies.append(api.use(S.id, actor, release=S_USE + 1).text)
    bodies.append(api.use(S.id, actor, sku="nothing", add=1).text)
    # The successful answer, and the overage one, say only S's own use.
    bodies.append(api.use(S.id, actor, add=1).text)
    bodies.append(api.use(S.id, actor, sku="backup", add=1).text)
    for body in bodies:
        assert_nothing_hidden(scene, body)


def test_sub_org_admins_audit_events_carry_no_pool_figure(scene, audit):
    api, world = scene.api, scene.world
    assert api.use(world.S.id, "S-U", add=REMAINING + 23).status_code == 409
    response = api.client.get(
        f"/api/v1/orgs/{world.S.id}/audit-events", headers=world.headers("S-A")
    )
    assert response.status_code == 200, response.text
    actions = {event["action"] for event in response.json()["items"]}
    assert {"usage.refused", "usage.overage"} <= actions
    assert_nothing_hidden(scene, response.text)


def test_sub_org_admins_license_list_and_source_carry_no_pool_figure(scene):
    api, world = scene.api, scene.world
    for path in ("licenses", "license-source"):
        response = api.client.get(f"/api/v1/orgs/{world.S.id}/{path}", headers=world.headers("S-A"))
        assert response.status_code == 200, response.text
        assert_nothing_hidden(scene, response.text)


def test_the_sibling_sees_its_own_use_and_never_s(scene):
    response = scene.api.report(scene.world.T.id, "T-A")
    assert response.status_code == 200
    items = items_by_sku(response.json())
    assert items["mon"]["used"] == T_USE and set(items["mon"]) == SHARED_ITEM_KEYS
    assert_figures_absent(
        response.text,
        {"quantity": QUANTITY, "S's use": S_USE, "pool used": POOL_USED, "remaining": REMAINING},
    )
    assert str(scene.world.S.id) not in response.text


@pytest.mark.parametrize("actor", ["OP", "P-PA", "P-A"])
def test_partner_admins_and_operators_reading_s_see_the_pool_figures(scene, actor):
    response = scene.api.report(scene.world.S.id, actor)
    assert response.status_code == 200, response.text
    report = response.json()
    assert set(report) == CHILD_TOP_KEYS
    items = items_by_sku(report)
    mon = items["mon"]
    assert set(mon) == SHARED_ITEM_KEYS | {"pool", "licenses"}
    assert mon["used"] == S_USE and mon["quota"] == S_QUOTA
    assert mon["pool"] == {
        "quantity": QUANTITY,
        "used": POOL_USED,
        "remaining": REMAINING,
        "over_quantity": False,
        "overage_allowed": False,
        "runs_out_on": None,
    }
    assert [lic["id"] for lic in mon["licenses"]] == [scene.licenses["mon"]["id"]]
    backup = items["backup"]["pool"]
    assert backup["over_quantity"] is True
    assert backup["remaining"] == BACKUP_QUANTITY - T_BACKUP_USE - S_BACKUP_USE
    # Still S's report: the sibling is not named.
    assert str(scene.world.T.id) not in response.text and scene.world.T.name not in response.text

    csv_response = scene.api.report(scene.world.S.id, actor, format="csv")
    assert csv_response.status_code == 200, csv_response.text
    rows = {row["sku"]: row for row in csv_rows(csv_response.text)}
    assert rows["mon"]["quantity"] == str(QUANTITY)
    assert rows["mon"]["remaining"] == str(REMAINING)
    assert rows["mon"]["used"] == str(S_USE)


def test_others_cannot_read_s_report(scene):
    statuses = {
        "S-U": 403,
        "S-RO": 403,
        "P-U": 403,
        "P-RO": 403,
        "T-A": 404,
        "U-A": 404,
        "P-X": 404,
        "anon": 401,
    }
    for fmt in ("json", "csv"):
        for actor, status in statuses.items():
            response = scene.api.report(scene.world.S.id, actor, format=fmt)
            assert response.status_code == status, (actor, fmt, response.text)
            assert response.headers["content-type"].startswith("application/json")
            assert_nothing_hidden(scene, response.text)
            assert str(S_USE) not in response.text


def test_customer_refused_admins_cannot_read_s_report(session, identity, client):
    world = build_world(session, identity, refuse_s=True)
    session.commit()
    response = client.get(f"/api/v1/orgs/{world.S.id}/license-report", headers=world.headers("S-A"))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "customer_access_refused"


# --- The parent view (P's report) --------------------------------------------


@pytest.mark.parametrize("actor", ["P-A", "P-PA", "OP"])
def test_partner_admins_see_quantity_total_remaining_and_each_childs_use(scene, actor):
    response = scene.api.report(scene.world.P.id, actor)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["view"] == "parent" and report["org_id"] == str(scene.world.P.id)
    pools = {pool["sku"]: pool for pool in report["pools"]}
    assert set(pools) == {"mon", "backup"}
    mon = pools["mon"]
    assert mon["quantity"] == QUANTITY
    assert mon["used"] == POOL_USED
    assert mon["remaining"] == REMAINING
    assert mon["over_quantity"] is False
    assert mon["own_use"] == 0
    assert [(c["org_name"], c["used"], c["quota"]) for c in mon["children"]] == [
        ("Sibling T", T_USE, None),
        ("Sub-org S", S_USE, S_QUOTA),
    ]
    assert mon["used"] == mon["own_use"] + sum(c["used"] for c in mon["children"])
    backup = pools["backup"]
    assert backup["over_quantity"] is True and backup["remaining"] < 0
    # Every child, with its own licenses.
    children = {c["org_name"]: c for c in report["children"]}
    assert set(children) == {"Sub-org S", "Sibling T"}
    (own,) = children["Sub-org S"]["own_pools"]
    assert (own["sku"], own["quantity"], own["used"]) == ("extra", OWN_QUANTITY, OWN_USE)
    assert children["Sibling T"]["own_pools"] == []


def test_partner_admins_csv_has_a_row_per_consumer(scene):
    response = scene.api.report(scene.world.P.id, "P-A", format="csv")
    assert response.status_code == 200, response.text
    rows = csv_rows(response.text)
    mon = {row["consumer_org_name"]: row for row in rows if row["sku"] == "mon"}
    assert set(mon) == {"Partner P", "Sub-org S", "Sibling T"}
    for row in mon.values():
        assert row["quantity"] == str(QUANTITY)
        assert row["pool_used"] == str(POOL_USED)
        assert row["remaining"] == str(REMAINING)
    assert mon["Sub-org S"]["used"] == str(S_USE)
    assert mon["Sibling T"]["used"] == str(T_USE)
    assert mon["Sub-org S"]["quota"] == str(S_QUOTA)
    (extra,) = [row for row in rows if row["sku"] == "extra"]
    assert extra["holder_org_name"] == "Sub-org S"
    assert (extra["quantity"], extra["used"]) == (str(OWN_QUANTITY), str(OWN_USE))


def test_a_partner_admin_kept_out_of_s_sees_its_use_only_as_an_unnamed_total(scene):
    # P-X is a P admin left off S's partner_users list: S is a 404 for them,
    # so P's report must not name S, yet the pool's totals stay true.
    response = scene.api.report(scene.world.P.id, "P-X")
    assert response.status_code == 200, response.text
    assert str(scene.world.S.id) not in response.text
    assert scene.world.S.name not in response.text
    report = response.json()
    mon = {pool["sku"]: pool for pool in report["pools"]}["mon"]
    assert [c["org_name"] for c in mon["children"]] == ["Sibling T"]
    assert mon["other_children_use"] == S_USE
    assert mon["used"] == mon["own_use"] + mon["other_children_use"] + sum(
        c["used"] for c in mon["children"]
    )
    assert {c["org_name"] for c in report["children"]} == {"Sibling T"}
    csv_text = scene.api.report(scene.world.P.id, "P-X", format="csv").text
    assert scene.world.S.name not in csv_text and str(scene.world.S.id) not in csv_text


def test_others_cannot_read_p_report(scene):
    statuses = {
        "P-U": 403,
        "P-RO": 403,
        "S-PA": 404,
        "S-A": 404,
        "T-A": 404,
        "U-A": 404,
        "anon": 401,
    }
    for actor, status in statuses.items():
        response = scene.api.report(scene.world.P.id, actor)
        assert response.status_code == status, (actor, response.text)
        assert_figures_absent(response.text, {"quantity": QUANTITY, "pool used": POOL_USED})


# --- Period reports ----------------------------------------------------------


@pytest.fixture
def history(api, world, fake_clock):  # type: ignore[no-untyped-def]
    """Usage over a few days of March 2025 (UTC):

    mon (P's pool)   S: 0 until 10th 06:00, 10 until 18:00, 30 until 11th 12:00, then 5
                     T: 0 until 11th 00:00, then 4
    backup (P's)     S: 0 until 11th 06:00, then 8
    The report is read on the 12th at 12:00.
    """
    fake_clock.at("2025-03-01T00:00:00")
    api.grant_ok(world.P.id, sku="mon", quantity=100)
    api.grant_ok(world.P.id, sku="backup", quantity=50)
    fake_clock.at("2025-03-10T06:00:00")
    api.use_ok(world.S.id, "S-U", set=10)
    fake_clock.at("2025-03-10T18:00:00")
    api.use_ok(world.S.id, "S-U", add=20)
    fake_clock.at("2025-03-11T00:00:00")
    api.use_ok(world.T.id, "T-A", add=4)
    fake_clock.at("2025-03-11T06:00:00")
    api.use_ok(world.S.id, "S-U", sku="backup", add=8)
    fake_clock.at("2025-03-11T12:00:00")
    api.use_ok(world.S.id, "S-U", release=25)
    fake_clock.at("2025-03-12T12:00:00")
    return fake_clock


def period_uses(report: dict) -> dict[tuple[str, str], dict]:
    """(sku, consumer name) -> {peak, average} from a parent report."""
    uses = {}
    for pool in report["pools"]:
        uses[(pool["sku"], report["org_name"])] = pool["own_period_use"]
        for child in pool["children"]:
            uses[(pool["sku"], child["org_name"])] = child["period_use"]
    return uses


def approx(value: float) -> object:
    return pytest.approx(value, abs=5e-4)


def test_period_report_gives_peak_and_time_weighted_average(api, world, history):
    response = api.report(world.P.id, "P-A", **{"from": "2025-03-09", "to": "2025-03-12"})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["period"] == {"from": "2025-03-09", "to": "2025-03-12"}
    uses = period_uses(report)
    # 84 hours from the 9th 00:00 to the 12th 12:00 ("now").
    # S/mon: 30h at 0, 12h at 10, 18h at 30, 24h at 5 = 780 unit-hours.
    assert uses[("mon", "Sub-org S")] == {"peak": 30, "average": approx(780 / 84)}
    # T/mon: 48h at 0, 36h at 4 = 144 unit-hours.
    assert uses[("mon", "Sibling T")] == {"peak": 4, "average": approx(144 / 84)}
    # S/backup: 54h at 0, 30h at 8 = 240 unit-hours.
    assert uses[("backup", "Sub-org S")] == {"peak": 8, "average": approx(240 / 84)}
    assert uses[("mon", "Partner P")] == {"peak": 0, "average": 0}
    # The current figures are still there beside the period's.
    mon = next(pool for pool in report["pools"] if pool["sku"] == "mon")
    assert mon["used"] == 9


def test_period_report_carries_the_level_from_before_the_period(api, world, history):
    report = api.report(world.P.id, "P-A", **{"from": "2025-03-11", "to": "2025-03-11"}).json()
    uses = period_uses(report)
    # S came into the 11th at 30: 12h at 30, 12h at 5.
    assert uses[("mon", "Sub-org S")] == {"peak": 30, "average": approx(17.5)}
    assert uses[("mon", "Sibling T")] == {"peak": 4, "average": approx(4)}
    # Only the 12th, up to now: S held 5 all along, though it changed no more.
    report = api.report(world.P.id, "P-A", **{"from": "2025-03-12", "to": "2025-03-12"}).json()
    assert period_uses(report)[("mon", "Sub-org S")] == {"peak": 5, "average": approx(5)}


def test_period_report_counts_days_before_the_first_change_as_zero(api, world, history):
    report = api.report(world.P.id, "P-A", **{"from": "2025-03-09", "to": "2025-03-10"}).json()
    uses = period_uses(report)
    # 48 hours: S at 0 for 30h, 10 for 12h, 30 for 6h = 300 unit-hours.
    assert uses[("mon", "Sub-org S")] == {"peak": 30, "average": approx(300 / 48)}
    assert uses[("mon", "Sibling T")] == {"peak": 0, "average": 0}


def test_period_entirely_before_any_use_reports_zero(api, world, history):
    report = api.report(world.P.id, "P-A", **{"from": "2025-03-01", "to": "2025-03-05"}).json()
    uses = period_uses(report)
    assert uses[("mon", "Sub-org S")] == {"peak": 0, "average": 0}
    assert uses[("mon", "Sibling T")] == {"peak": 0, "average": 0}
    child = api.report(world.S.id, "S-A", **{"from": "2025-03-01", "to": "2025-03-05"}).json()
    assert items_by_sku(child)["mon"]["period_use"] == {"peak": 0, "average": 0}


def test_period_days_after_now_do_not_count(api, world, history):
    report = api.report(world.P.id, "P-A", **{"from": "2025-03-12", "to": "2025-03-31"}).json()
    assert period_uses(report)[("mon", "Sub-org S")] == {"peak": 5, "average": approx(5)}


def test_child_period_report_gives_the_childs_own_peak_and_average(api, world, history):
    response = api.report(world.S.id, "S-A", **{"from": "2025-03-09", "to": "2025-03-12"})
    assert response.status_code == 200, response.text
    items = items_by_sku(response.json())
    assert items["mon"]["period_use"] == {"peak": 30, "average": approx(780 / 84)}
    assert items["backup"]["period_use"] == {"peak": 8, "average": approx(240 / 84)}
    assert "pool" not in items["mon"]


def test_period_csv_has_the_same_numbers(api, world, history):
    params = {"from": "2025-03-09", "to": "2025-03-12"}
    uses = period_uses(api.report(world.P.id, "P-A", **params).json())
    rows = csv_rows(api.report(world.P.id, "P-A", format="csv", **params).text)
    assert len(rows) == len(uses)
    for row in rows:
        use = uses[(row["sku"], row["consumer_org_name"])]
        assert int(row["peak"]) == use["peak"]
        assert float(row["average"]) == use["average"]
    child_json = items_by_sku(api.report(world.S.id, "S-A", **params).json())
    child_rows = csv_rows(api.report(world.S.id, "S-A", format="csv", **params).text)
    assert {row["sku"] for row in child_rows} == set(child_json)
    for row in child_rows:
        use = child_json[row["sku"]]["period_use"]
        assert int(row["peak"]) == use["peak"]
        assert float(row["average"]) == use["average"]


def test_a_bad_period_is_422(api, world):
    cases = [
        ({"from": "2025-03-01"}, "to"),
        ({"to": "2025-03-01"}, "from"),
        ({"from": "2025-03-10", "to": "2025-03-09"}, "to"),
        ({"from": "2025-03-10", "to": "not-a-day"}, "to"),
        ({"from": "2020-01-01", "to": "2025-01-01"}, "to"),
    ]
    for org, actor in ((world.P, "P-A"), (world.S, "S-A")):
        for params, field in cases:
            response = api.report(org.id, actor, **params)
            assert response.status_code == 422, (params, response.text)
            assert response.json()["error"]["field"] == field, (params, response.text)


def test_a_single_day_period_is_fine(api, world):
    response = api.report(world.P.id, "P-A", **{"from": "2025-03-10", "to": "2025-03-10"})
    assert response.status_code == 200, response.text
