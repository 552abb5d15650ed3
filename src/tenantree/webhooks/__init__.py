"""Webhooks: an org's endpoints, the events its audit trail produces for them,
and their signed delivery through the outbox (a delivery kind of its own)."""
