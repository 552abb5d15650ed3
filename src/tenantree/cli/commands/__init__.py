"""The CLI's command groups, one module per area, each command written once
over a `Backend` (cli/backend.py): local or remote is the backend's business."""
