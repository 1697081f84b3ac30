"""Synthetic tenants for scale tests, and ``python -m syncdash.emulator.scenarios.generate``.

Why: syncdash has to stay usable on directories of 100,000 objects, which no one
wants to hand-write and no test tenant has. The generated objects have the demo's
Graph shapes (both use ``objects.py``); one seeded ``random.Random`` draws everything,
so a (seed, now) pair names a tenant exactly. Building is linear in the object count:
no template copies, no pairwise searches.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime, timezone
from typing import IO, Any

from syncdash.emulator.scenarios.builder import TenantBuilder
from syncdash.emulator.scenarios.document import tenant_document
from syncdash.emulator.scenarios.objects import (
    DEPARTMENT_NAMES,
    GIVEN_NAMES,
    GROUP_ODATA_TYPE,
    OFFICES,
    PARTNERS,
    SURNAMES,
    TENANT_DOMAIN,
    USER_ODATA_TYPE,
    GroupKind,
    JsonObject,
    address_of,
    align_last_sync,
    property_conflict,
    soft_deleted,
)

#: Group kinds in rotation; every fourth group is a cloud-born Microsoft 365 group.
_GROUP_KINDS: tuple[GroupKind, ...] = ("security", "distribution", "mail-security", "unified")
#: Share of user conflicts that are about the UPN rather than a proxy address.
_UPN_CONFLICT_SHARE = 0.25


def max_errors(users: int, groups: int, contacts: int) -> int:
    """How many objects can carry a PropertyConflict: only synced ones can (one user in
    ten is cloud-only, as is every fourth group; contacts are all synced)."""
    return (users - users // 10) + (groups - groups // 4) + contacts


def generate_tenant(
    *, users: int, groups: int, contacts: int, errors: int, seed: int, now: datetime
) -> dict[str, Any]:
    """A tenant with exactly the given numbers of live users, groups and contacts, of which
    ``errors`` synced objects carry a PropertyConflict, plus about 1 % of users and groups
    in the recycle bin. Raises ValueError for negative counts or too many errors."""
    for name, count in (("users", users), ("groups", groups), ("contacts", contacts), ("errors", errors)):
        if count < 0:
            raise ValueError(f"{name} must be 0 or more, got {count}")
    limit = max_errors(users, groups, contacts)
    if errors > limit:
        raise ValueError(f"errors ({errors}) exceeds the {limit} synced objects that could carry one")

    rng = random.Random(seed)
    b = TenantBuilder(rng, now)
    tenant_id = b.new_id()
    user_list = [
        b.user(rng.choice(GIVEN_NAMES), rng.choice(SURNAMES), sync=None if i % 10 == 9 else True)
        for i in range(users)
    ]
    group_list = [_group(b, i) for i in range(groups)]
    contact_list = [
        b.contact(rng.choice(GIVEN_NAMES), rng.choice(SURNAMES), rng.choice(PARTNERS))
        for _ in range(contacts)
    ]
    deleted = [
        soft_deleted(b.user(rng.choice(GIVEN_NAMES), rng.choice(SURNAMES)), USER_ODATA_TYPE,
                     b.ago(days=rng.randrange(1, 30), minutes=rng.randrange(1440)))
        for _ in range(users // 100)
    ]
    deleted += [
        soft_deleted(_group(b, groups + i), GROUP_ODATA_TYPE,
                     b.ago(days=rng.randrange(1, 30), minutes=rng.randrange(1440)))
        for i in range(groups // 100)
    ]
    _add_conflicts(b, user_list, group_list, contact_list, errors)
    return tenant_document(
        tenant_id=tenant_id,
        display_name="Contoso",
        now=b.now,
        users=user_list,
        groups=group_list,
        contacts=contact_list,
        deleted=deleted,
    )


def _group(b: TenantBuilder, index: int) -> JsonObject:
    """Group ``index`` of the rotation, named like a real team or access group."""
    kind = _GROUP_KINDS[index % len(_GROUP_KINDS)]
    rng = b.rng
    name = f"{rng.choice(OFFICES).city} {rng.choice(DEPARTMENT_NAMES)} {index + 1:05d}"
    return b.group(name, kind, sync=None if kind == "unified" else True,
                   description=f"{kind.replace('-', ' ').title()} group for {name}")


def _add_conflicts(
    b: TenantBuilder,
    users: list[JsonObject],
    groups: list[JsonObject],
    contacts: list[JsonObject],
    errors: int,
) -> None:
    """Give ``errors`` distinct synced objects one conflict each over a value another
    object really holds (so the diagnosis can find the other side)."""
    rng = b.rng
    synced = [x for x in (*users, *groups) if x["onPremisesSyncEnabled"]] + contacts
    carriers = [synced[i] for i in rng.sample(range(len(synced)), errors)]
    carrier_ids = {carrier["id"] for carrier in carriers}
    addressed = [x for x in (*users, *groups, *contacts) if x["proxyAddresses"]]
    for carrier in carriers:
        # Within the last four weeks, so never before the carrier's creation (30+ days ago).
        occurred = b.stamp(b.ago(days=rng.randrange(28), minutes=rng.randrange(1440)),
                           ticks=rng.random() < 0.5)
        if "userPrincipalName" in carrier and rng.random() < _UPN_CONFLICT_SHARE:
            holder = _other(rng, users, carrier)
            # A carrier's UPN may itself be quarantined: only a clean holder keeps its UPN.
            if (holder is not None and holder["id"] not in carrier_ids
                    and holder["userPrincipalName"].endswith("@" + TENANT_DOMAIN)):
                b.quarantine_upn(carrier, holder["userPrincipalName"], occurred, typed=rng.random() < 0.3)
                continue
        holder = _other(rng, addressed, carrier)
        if holder is None:  # nobody else has an address: a conflict whose other side is gone
            value = b.claim(f"{carrier['mailNickname']}-old", TENANT_DOMAIN)
        else:
            value = address_of(rng.choice(holder["proxyAddresses"]))
        carrier["onPremisesProvisioningErrors"].append(property_conflict(
            rng.choice(("ProxyAddress", "ProxyAddresses")), f"smtp:{value}", occurred,
            typed=rng.random() < 0.3))
    align_last_sync(carriers)


def _other(rng: random.Random, candidates: list[JsonObject], carrier: JsonObject) -> JsonObject | None:
    """A random candidate other than ``carrier`` in O(1), or None if there is none."""
    if not candidates or (len(candidates) == 1 and candidates[0] is carrier):
        return None
    index = rng.randrange(len(candidates))
    if candidates[index] is carrier:
        index = (index + 1) % len(candidates)
    return candidates[index]


# --------------------------------------------------------------------------- CLI


def _count(text: str) -> int:
    """argparse type for object counts: a whole number, zero or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _moment(text: str) -> datetime:
    """argparse type for --now: an ISO 8601 time with a zone (the tenant is written in UTC)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an ISO 8601 time, got {text!r}") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"needs a time zone, e.g. {text}Z")
    return moment


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m syncdash.emulator.scenarios.generate",
        description="Write a synthetic tenant file (Graph-shaped JSON) for scale tests.",
    )
    parser.add_argument("--users", type=_count, default=1000, help="live users (default 1000)")
    parser.add_argument("--groups", type=_count, default=100, help="live groups (default 100)")
    parser.add_argument("--contacts", type=_count, default=100, help="live contacts (default 100)")
    parser.add_argument("--errors", type=_count, default=50,
                        help="objects carrying a PropertyConflict (default 50)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--now", type=_moment, default=None,
                        help="the moment the tenant is as of, ISO 8601 with zone (default: now)")
    parser.add_argument("-o", "--output", required=True, help="file to write, or - for standard output")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    limit = max_errors(args.users, args.groups, args.contacts)
    if args.errors > limit:
        parser.error(f"argument --errors: {args.errors} is more than the {limit} synced objects "
                     "that could carry a conflict")
    # Open first: an unwritable path should fail before a minute of generating, not after.
    try:
        sink: AbstractContextManager[IO[bytes]] = (
            nullcontext(sys.stdout.buffer) if args.output == "-" else open(args.output, "wb")
        )
    except OSError as exc:
        print(f"{parser.prog}: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    tenant = generate_tenant(users=args.users, groups=args.groups, contacts=args.contacts,
                             errors=args.errors, seed=args.seed,
                             now=args.now or datetime.now(timezone.utc))
    with sink as stream:
        # dumps, not dump: only the one-shot encoder is the fast C one.
        stream.write(json.dumps(tenant, ensure_ascii=False).encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
