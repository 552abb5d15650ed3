"""ASGI entry point for servers: `uvicorn tenantree.server.asgi:app`."""

import gc

from tenantree.server.app import create_app

app = create_app()

# What the app is made of (routes, models, tables, compiled schemas) lives as
# long as the process: frozen, the collector's full passes skip it. Each pass
# walked ~240,000 such objects and held every request in flight for 150-250 ms,
# the tail of p99 under load (bench/ANALYSIS.md, round 5).
gc.collect()
gc.freeze()
