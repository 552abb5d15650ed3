"""Answers serialized once.

A route returning a model has FastAPI validate it again against the route's
`response_model` before serializing it; on hot reads that second pass cost as
much as building the model (bench/ANALYSIS.md). A route that has already
built its answer as the declared model (so its schema is guaranteed) returns
it through `serialized`, which only serializes it. The route keeps its
`response_model` for the OpenAPI description.
"""

from __future__ import annotations

from fastapi import Response
from pydantic import BaseModel


def serialized(model: BaseModel, status_code: int = 200) -> Response:
    return Response(model.model_dump_json(), status_code=status_code, media_type="application/json")
