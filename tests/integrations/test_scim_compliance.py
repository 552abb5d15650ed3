"""A compliance run of scim2-tester against one org's SCIM endpoint, in process."""

from typing import Any

import httpx
from fastapi.testclient import TestClient
from scim2_client.client import BaseSyncSCIMClient
from scim2_tester import Status, check_server

from factories import build_world

PASSING = {Status.SUCCESS, Status.COMPLIANT, Status.ACCEPTABLE, Status.SKIPPED}


class TestClientSCIMClient(BaseSyncSCIMClient):
    """scim2-client over Starlette's TestClient (an httpx.Client)."""

    __test__ = False

    def __init__(self, client: TestClient, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client

    def _stays_under_base_url(self, endpoint: str) -> bool:
        url = self.client.build_request("GET", endpoint).url
        base = self.client.base_url
        return url.host == base.host and url.raw_path.startswith(base.raw_path)

    def _parse_json(self, response: Any) -> Any:
        return response.json()

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.client.request(method, url, **kwargs)


def test_scim2_tester_finds_no_failure(app, client, session, identity):
    world = build_world(session, identity)
    session.commit()
    response = client.post(
        f"/api/v1/orgs/{world.S.id}/scim-tokens",
        json={"name": "tester"},
        headers=world.headers("S-A"),
    )
    token = response.json()["token"]
    http = TestClient(
        app,
        base_url=f"http://testserver/scim/v2/orgs/{world.S.id}/",
        headers={"Authorization": f"Bearer {token}"},
    )
    results = check_server(TestClientSCIMClient(http))
    failures = [r for r in results if r.status not in PASSING]
    report = "\n".join(f"{r.status.name} {r.title}: {r.reason}" for r in failures)
    assert results and not failures, report
