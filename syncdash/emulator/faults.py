"""Fault knobs: the trouble real Graph causes, on demand and reproducibly (seeded)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class Faults:
    """What can go wrong with each request. Rates are probabilities per request."""

    #: Seconds added before every answer.
    latency: float = 0.0
    #: Share of requests answered ``429``; ``retry_after`` is the header (None: none sent).
    throttle_rate: float = 0.0
    retry_after: str | None = "1"
    #: Share of requests answered with ``server_error_status`` (503 or 504).
    server_error_rate: float = 0.0
    server_error_status: int = 503
    #: Share of requests whose connection is closed without an answer.
    drop_rate: float = 0.0
    #: Share of requests answered 200 with a truncated JSON body.
    malformed_rate: float = 0.0
    #: Path prefixes below the version (``directory/onPremisesSynchronization``) → 401/403.
    deny: dict[str, int] = field(default_factory=dict)
    #: Insert an empty page (with a nextLink) before every page after the first.
    empty_pages: bool = False
    #: Filters containing any of these texts are refused with Request_UnsupportedQuery,
    #: as some tenants do for the provisioning-error filter.
    refuse_filters: tuple[str, ...] = ()
    #: Delta links answer 410 Gone (the service lost the sync state): clients resync.
    delta_gone: bool = False
    #: No answer at all, as the network fails before Graph: "dns", "tls", "refused" or
    #: "timeout" (the in-process transport only; over loopback, use a real fault).
    network: str | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        self.random = random.Random(self.seed)

    def roll(self, rate: float) -> bool:
        return rate > 0 and self.random.random() < rate
