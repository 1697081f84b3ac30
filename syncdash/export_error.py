"""An export error Entra Connect reported for an object, with both sides of a conflict:
the shape Connect Health's report and the Connect server's files both arrive in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


#: Export error types that say another object holds the value (Microsoft's "Troubleshooting
#: errors during synchronization": duplicate attributes and data mismatches).
CONFLICT_TYPES = frozenset({"AttributeValueMustBeUnique", "InvalidSoftMatch", "ObjectTypeMismatch"})
CONFLICT_ATTRIBUTES = frozenset({"userprincipalname", "proxyaddresses", "mail"})


@dataclass(frozen=True, slots=True)
class OnPremisesSide:
    """One side of an export error as Connect Health records it: the incoming on-premises
    object, or the existing object in Entra ID it collided with."""

    display_name: str | None = None
    distinguished_name: str | None = None
    object_guid: str | None = None
    object_type: str | None = None
    user_principal_name: str | None = None
    on_premises_upn: str | None = None
    mail: str | None = None
    proxy_addresses: str | None = None
    source_anchor: str | None = None
    source_of_authority: str | None = None
    last_dir_sync: datetime | None = None


@dataclass(frozen=True, slots=True)
class ExportError:
    """An export error Entra Connect reported for an object (read from Connect Health):
    every error type, not only the PropertyConflicts Graph shows."""

    error_type: str
    bucket: str
    attribute: str | None
    value: str | None
    server_detail: str | None
    first_occurred: datetime | None
    occurred: datetime | None
    dn: str | None
    incoming: OnPremisesSide
    existing: OnPremisesSide | None
    #: Which source reported it ("connect-health", "server").
    source: str = "connect-health"
    #: How often the server has retried the export (the server's files say; Connect Health does not).
    retry_count: int | None = None
    #: The cloud object the value conflicts with, by id (the server's ObjectIdInConflict).
    existing_id: str | None = None
    #: "export" (Entra ID refused it), "import" (the server could not read it in) or
    #: "writeback" (the server could not write a change back to AD).
    stage: str = "export"

    @property
    def is_conflict(self) -> bool:
        """A value another object holds (a UPN or an address, not a binary attribute): step 2
        looks up its holders like a PropertyConflict's."""
        return (self.stage == "export" and self.error_type in CONFLICT_TYPES
                and (self.attribute or "").casefold() in CONFLICT_ATTRIBUTES and self.existing is not None)
