"""Keeping the tree and the CRM (Salesforce Accounts) in step."""
