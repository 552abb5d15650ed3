"""Branding: each org's white label, inherited down the tree.

An org has a *draft* and a *published* brand; a null field inherits from the
partner's published brand, then from the platform default. Images are
uploaded (PNG or SVG, sanitised), custom domains are claimed and proven with
a DNS TXT record, and emails are rendered with the resolved brand and sent
through the org's own SMTP relay when it has one.
"""
