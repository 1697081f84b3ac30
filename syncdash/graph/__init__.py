"""Microsoft Graph through msgraph-sdk: the only layer that talks to a tenant.

Modules import their heavy dependencies (httpx, kiota, msgraph) only where they send
requests, so the dashboard can draw its first frame before any of them is loaded.
"""
