"""ASGI entry point for servers: `uvicorn tenantree.server.asgi:app`."""

from tenantree.server import collector
from tenantree.server.app import create_app

app = create_app()

# The app is built: its objects frozen out of the collector's passes, and the
# collector's thresholds for the requests to come (server/collector.py).
collector.settle()
