"""The REST API: thin routes over the domain services."""
