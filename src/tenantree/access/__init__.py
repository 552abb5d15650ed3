"""Access: who may do what in which org. Every decision is made in policy.py."""
