"""Microsoft Graph through msgraph-sdk: the only layer that talks to a tenant."""

from syncdash.graph.client import PUBLIC_GRAPH_URL, ClientConfigError, build_client
from syncdash.graph.errors import GraphError
from syncdash.graph.lookup import holders_of_value, resolve_object
from syncdash.graph.scan import full_scan, scan_all, scan_fast
from syncdash.graph.tenant import tenant_status

__all__ = [
    "PUBLIC_GRAPH_URL",
    "ClientConfigError",
    "GraphError",
    "build_client",
    "full_scan",
    "holders_of_value",
    "resolve_object",
    "scan_all",
    "scan_fast",
    "tenant_status",
]
