"""Benchmarks for tenantree at partner scale: `python -m bench` (see bench/README.md)."""
