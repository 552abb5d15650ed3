"""bench.explain serves the benchmarked requests and explains every read they send."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import compare_trees, explain

pytestmark = pytest.mark.bench


def test_every_benchmarked_request_is_served_and_its_reads_explained(tmp_path: Path) -> None:
    samples, out = tmp_path / "samples.json", tmp_path / "plans.md"
    compare_trees.main([
        "--build", f"sqlite:///{tmp_path / 'world.db'}", "--samples", str(samples),
        "--partners", "1", "--sub-orgs", "12", "--users", "60",
    ])  # fmt: skip
    explain.main(["--samples", str(samples), "--out", str(out)])
    text = out.read_text()
    for label in ("org", "page", "list", "orgapi", "report"):
        assert f"### {label}: " in text
    assert text.count("\n200; ") == 5
    assert "SEARCH access_tokens USING INDEX" in text  # the token's lookup, explained
