"""ASGI entry point for servers: `uvicorn tenantree.api.asgi:app`."""

from tenantree.api.app import create_app

app = create_app()
