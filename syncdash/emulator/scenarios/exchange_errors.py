"""The Exchange Online errors the demo's objects carry, as Graph's serviceProvisioningErrors
give them: an address in use, a litigation hold, an archive on both sides."""

from __future__ import annotations

from syncdash.emulator.scenarios.objects import ExchangeError


def email_in_use(value: str) -> ExchangeError:
    return ExchangeError(
        "ExA77C31",
        "EmailAddresses",
        f'The value "{value}" of property "EmailAddresses" is used by another recipient object. '
        "Please specify a unique value.",
    )


def litigation_hold(name: str) -> ExchangeError:
    return ExchangeError(
        "ExB1F3E7",
        "LitigationHoldEnabled",
        f'Exchange can\'t disable the mailbox "{name}" because it is on In-Place Hold or '
        "Litigation Hold.",
    )


def archive_exists(name: str, archive: str, cloud_archive: str) -> ExchangeError:
    return ExchangeError(
        "Ex5E1C20",
        "ArchiveGuid",
        f"Failed to sync the ArchiveGuid {archive} of mailbox {name} because one cloud "
        f"archive {cloud_archive} exists.",
    )


def proxy_in_use(value: str, owner: str) -> ExchangeError:
    return ExchangeError(
        "Ex9C5B0A",
        "EmailAddresses",
        f'The proxy address "{value}" is already being used by the proxy addresses or '
        f'LegacyExchangeDN of "{owner}". Please choose another proxy address.',
    )
