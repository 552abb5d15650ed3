"""Orgs: standard orgs, partner parents (MSP or reseller) and their sub-orgs."""
