"""License alerts (expiry, utilisation, quotas) and run-out forecasts."""
