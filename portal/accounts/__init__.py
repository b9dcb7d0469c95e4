"""Merchant and staff accounts: log-in, log-out, roles, language and time zone."""
