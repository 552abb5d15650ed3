"""ASGI entry point for servers: `uvicorn tenantree.server.asgi:app`."""

from tenantree.server.app import create_app

app = create_app()
