"""Audit: an append-only record of every change, written in the change's transaction."""
