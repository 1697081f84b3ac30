"""The Microsoft clouds the seed article names, and where each one signs in and serves Graph."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class Cloud:
    name: str
    #: Host of the sign-in authority (azure-identity's ``authority``).
    authority: str
    graph_url: str
    #: Entra admin center, for the ``o`` key's links.
    portal: str
    #: Microsoft 365 admin center (organizational contacts have no Entra page).
    m365_portal: str
    #: Azure Resource Manager (Connect Health's API), None where it is not known (a custom
    #: cloud that names none), and the scope of its tokens: for US Government the token
    #: audience is management.core.usgovcloudapi.net, not the API's host (azure-mgmt-core's
    #: ``get_arm_endpoints``).
    resource_manager: str | None = None
    arm_scope: str | None = None

    @property
    def scope(self) -> str:
        """Token scope: always the Graph endpoint's origin + ``/.default``."""
        parts = urlsplit(self.graph_url)
        return f"{parts.scheme}://{parts.netloc}/.default"


CLOUDS: dict[str, Cloud] = {
    "public": Cloud("public", "login.microsoftonline.com", "https://graph.microsoft.com/v1.0",
                    "https://entra.microsoft.com", "https://admin.microsoft.com",
                    "https://management.azure.com", "https://management.azure.com/.default"),
    # US Government L4 (GCC High, "Fairfax")
    "usgov": Cloud("usgov", "login.microsoftonline.us", "https://graph.microsoft.us/v1.0",
                   "https://entra.microsoft.us", "https://portal.office365.us",
                   "https://management.usgovcloudapi.net", "https://management.core.usgovcloudapi.net/.default"),
    # US Government L5 (DoD)
    "usgov-dod": Cloud("usgov-dod", "login.microsoftonline.us", "https://dod-graph.microsoft.us/v1.0",
                       "https://entra.microsoft.us", "https://portal.apps.mil",
                       "https://management.usgovcloudapi.net", "https://management.core.usgovcloudapi.net/.default"),
    # China, operated by 21Vianet ("Mooncake")
    "china": Cloud("china", "login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn/v1.0",
                   "https://entra.microsoftonline.cn", "https://portal.partner.microsoftonline.cn",
                   "https://management.chinacloudapi.cn", "https://management.chinacloudapi.cn/.default"),
}
CLOUD_NAMES = (*CLOUDS, "custom")


def custom_cloud(authority: str, graph_url: str, portal: str | None = None,
                 resource_manager: str | None = None) -> Cloud:
    """usnat/ussec and other air-gapped clouds: the URLs come from the admin's profile."""
    host = urlsplit(authority if "://" in authority else f"https://{authority}").netloc
    origin = urlsplit(graph_url)
    arm = resource_manager.rstrip("/") if resource_manager else None
    return Cloud("custom", host, graph_url.rstrip("/"), portal or f"{origin.scheme}://{origin.netloc}",
                 portal or f"{origin.scheme}://{origin.netloc}", arm, f"{arm}/.default" if arm else None)
