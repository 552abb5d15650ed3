"""Verified email domains: an org proves it owns a DNS domain, and manages the accounts in it."""
