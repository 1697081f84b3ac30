"""The identifiers that tie an object together across Entra ID, the Connect server and AD:
the Entra connector's ``CN={hex}`` DNs, sourceAnchor ⇄ objectGUID, cloudAnchor ⇄ the
cloud object's id — as ADSyncTools converts them (``ConvertFrom-ADSyncToolsAadDistinguishedName``,
``ConvertFrom-ADSyncToolsImmutableID``, ``ConvertTo-ADSyncToolsCloudAnchor``)."""

from __future__ import annotations

import base64
import binascii
import re
import uuid

#: The Entra connector's fixed identifier on every Entra Connect server.
ENTRA_CONNECTOR_ID = "b891884f-051e-4a83-95af-2544101c9083"
_HEX_DN = re.compile(r"\s*CN=\{([0-9A-Fa-f]+)\}\s*", re.IGNORECASE)


def anchor_of_dn(dn: str | None) -> str | None:
    """The sourceAnchor an Entra connector DN encodes (``CN={5146…3D3D}`` →
    ``QF5HMK7n80qvdYsUPIHa9Q==``, as ADSyncTools' ConvertFrom-ADSyncToolsAadDistinguishedName),
    or None for any other DN."""
    match = _HEX_DN.fullmatch(dn or "")
    if match is None or len(match.group(1)) % 2:
        return None
    try:
        return bytes.fromhex(match.group(1)).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None


def dn_of_anchor(anchor: str) -> str:
    """The Entra connector DN of a sourceAnchor (the inverse of :func:`anchor_of_dn`)."""
    return "CN={" + anchor.encode("utf-8").hex().upper() + "}"


def immutable_id_of_guid(guid: str | None) -> str | None:
    """The onPremisesImmutableId an objectGUID anchor gives (base64 of its bytes as AD
    holds them)."""
    if not guid:
        return None
    try:
        return base64.b64encode(uuid.UUID(guid).bytes_le).decode("ascii")
    except ValueError:
        return None


def guid_of_base64(text: str | None) -> str | None:
    """An objectGUID written as base64 of its 16 bytes (an AD connector anchor), as text."""
    if not text:
        return None
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return str(uuid.UUID(bytes_le=raw)) if len(raw) == 16 else None


def cloud_id_of_anchor(cloud_anchor: str | None) -> str | None:
    """The Entra object id in a cloudAnchor (``User_<id>``)."""
    _, _, rest = (cloud_anchor or "").partition("_")
    try:
        return str(uuid.UUID(rest)) if rest else None
    except ValueError:
        return None
