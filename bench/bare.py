"""The peer for API throughput: a bare FastAPI endpoint returning constant JSON."""

from fastapi import FastAPI

app = FastAPI()
BODY = {"id": "00000000-0000-4000-8000-000000000000", "name": "Constant", "kind": "sub_org"}


@app.get("/api/v1/bare")
def bare() -> dict[str, str]:
    return BODY
