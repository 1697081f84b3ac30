"""Signing in to real tenants with azure-identity: every mode, every cloud, read-only."""
