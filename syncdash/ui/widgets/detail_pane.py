"""The chosen object in full: identity, on-premises attributes, every error, and the
other holders of a conflicting value side by side (as Connect Health compares them)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from syncdash.diagnose.export_errors import REPORTED_BY
from syncdash.export_error import ExportError, OnPremisesSide
from syncdash.model import DirectoryObject, ObjectFacts
from syncdash.onprem import OnPremisesFacts
from syncdash.sanitize import safe_text
from syncdash.sync_server import ConnectorObject, ServerFacts
from syncdash.ui.keys import moves
from syncdash.ui.widgets.wrapping import Tokens

#: Holders shown next to the object; more are listed by name only.
SIDE_BY_SIDE = 3


def _value(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return "\n".join(safe_text(line) for line in str(value).splitlines())


def _section(title: str, rows: Iterable[tuple[str, object]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    table.title = Text(safe_text(title), style="bold underline")  # a str is read as markup
    table.title_justify = "left"
    table.title_style = "bold underline"
    for name, value in rows:
        table.add_row(Text(safe_text(name)), Tokens(_value(value)))  # error rows are named by Graph data
    return table


def _block(title: str, text: str) -> Group:
    """A heading over free text at the pane's full width (a table's title would wrap to
    the width of a short note)."""
    return Group(Text(safe_text(title), style="bold underline"), Text(_value(text), overflow="fold"))


def _errors(title: str, errors: Iterable[tuple[str, object]]) -> Group:
    """Each error's heading on its own line and its text under it at the pane's full
    width: beside a long heading (a service instance and dates) a message or its XML
    was squeezed into a dozen columns at 80."""
    parts: list[RenderableType] = [Text(title, style="bold underline")]
    for heading, detail in errors:
        parts.append(Text(safe_text(heading), style="bold"))
        parts.append(Padding(Text(_value(detail), overflow="fold"), (0, 0, 0, 2)))
    return Group(*parts)


def _sync_state(obj: DirectoryObject) -> str:
    traits = [{True: "synced", False: "sync stopped", None: "cloud-only"}[obj.sync_enabled]]
    if obj.is_deleted:
        traits.append("deleted")
    return ", ".join(traits)


def _comparison(obj: DirectoryObject, holders: list[DirectoryObject]) -> Table:
    table = Table(title="Conflicting holders, side by side", title_justify="left",
                  title_style="bold underline", show_lines=False, expand=True)
    table.add_column("")
    for index, other in enumerate([obj, *holders[:SIDE_BY_SIDE]]):
        table.add_column(Text("this object" if index == 0 else safe_text(other.display_name)), overflow="fold")
    columns = [obj, *holders[:SIDE_BY_SIDE]]
    rows = [
        ("kind", lambda o: o.kind.value),
        ("state", _sync_state),
        ("UPN", lambda o: o.upn),
        ("on-prem UPN", lambda o: o.on_premises_upn),
        ("mail", lambda o: o.mail),
        ("proxy addresses", lambda o: "\n".join(o.proxy_addresses)),
        ("immutableId", lambda o: o.immutable_id),
    ]
    for name, read in rows:
        table.add_row(Text(name, style="bold"), *(Tokens(_value(read(o))) for o in columns))
    return table


_SIDE_ROWS = (("kind", "object_type"), ("display name", "display_name"), ("DN", "distinguished_name"),
              ("UPN", "user_principal_name"), ("on-prem UPN", "on_premises_upn"), ("mail", "mail"),
              ("proxy addresses", "proxy_addresses"), ("objectGuid", "object_guid"), ("sourceAnchor", "source_anchor"),
              ("source of authority", "source_of_authority"), ("last sync", "last_dir_sync"))


def _export_error(error: ExportError) -> RenderableType:
    """One export error as Connect Health shows it: the incoming object and the existing
    one it collided with, side by side."""
    on = f" on {error.attribute} {error.value}" if error.attribute else ""
    heading = Text(safe_text(f"{error.error_type}{on}  ({REPORTED_BY.get(error.source, error.source)}, "
                             f"{error.stage})"), style="bold")
    when = (f"first {_value(error.first_occurred)}, last {_value(error.occurred)}"
            + (f", retried {error.retry_count} times" if error.retry_count else "")
            + (f"; conflicting cloud object {error.existing_id}" if error.existing_id else "")
            + (f"; server: {error.server_detail}" if error.server_detail else ""))
    table = Table(show_lines=False, expand=True, box=None)
    table.add_column("")
    table.add_column("incoming (on-premises)", overflow="fold")
    existing = error.existing if error.existing is not None and error.existing != OnPremisesSide() else None
    if existing is not None:
        table.add_column("existing (Entra ID)", overflow="fold")
    for name, field in _SIDE_ROWS:
        sides = [error.incoming, *([existing] if existing else [])]
        table.add_row(Text(name, style="bold"), *(Tokens(_value(getattr(side, field))) for side in sides))
    return Group(heading, Padding(Group(Text(_value(when), overflow="fold"), table), (0, 0, 0, 2)))


def _active_directory(obj: DirectoryObject, ad: OnPremisesFacts) -> RenderableType:
    """The object as AD holds it (where AD was read), its anchor set against the cloud's,
    and who else holds a conflicting value on-premises."""
    title = f"On-premises AD  ({', '.join(ad.origins)})"
    own = ad.own
    if own is None:
        return _block(title, "not found there (by anchor, SID, mail, DN, UPN or objectGUID)")
    anchor = own.source_anchor or "—"
    if obj.immutable_id and own.source_anchor:
        anchor += "  (= Entra ID's immutableId)" if obj.immutable_id in own.anchors else f"  (≠ Entra ID's {obj.immutable_id})"
    rows: list[tuple[str, object]] = [
        ("distinguishedName", own.distinguished_name), ("found by", f"its {ad.found_by}"),
        ("state", "disabled" if own.disabled else "enabled"), ("sourceAnchor", anchor),
        ("objectGUID", own.object_guid), ("mS-DS-ConsistencyGuid", own.consistency_guid),
        ("userPrincipalName", own.upn), ("mail", own.mail),
        (f"proxyAddresses ({len(own.proxy_addresses)})", "\n".join(own.proxy_addresses)),
        ("whenChanged", own.when_changed),
    ]
    for value, holders in ad.holders.items():
        others = [h for h in holders if h is not own]
        if others:
            rows.append((f"also holds {value}", "\n".join(h.distinguished_name for h in others)))
    return _section(title, rows)


def _space_rows(name: str, side: ConnectorObject) -> list[tuple[str, object]]:
    joined = {True: "joined", False: "a disconnector (joined to nothing)", None: "not in the file"}[side.joined]
    rows: list[tuple[str, object]] = [(f"{name} connector space", side.dn), ("  join", joined + (
        f", metaverse {side.mv_id}" if side.mv_id else ""))]
    if side.pending is not None:
        rows.append(("  pending export", side.pending.describe()))
    for error in (side.export_error, side.import_error):
        if error is not None:
            retried = f", retried {error.retry_count}×" if error.retry_count else ""
            code = f" ({error.code})" if error.code else ""
            rows.append((f"  last {error.stage} error", f"{error.error_type}{code} {_value(error.occurred)}{retried}"
                         + (f": {error.detail}" if error.detail else "")))
    if side.lineage:
        rows.append(("  sync rules", "\n".join(side.lineage)))
    return rows


def _said(flag: bool | None) -> str:
    return {True: "on", False: "off", None: "not in the file"}[flag]


def _connect_server(server: ServerFacts) -> RenderableType:
    """The object as the Connect server's files show it: its connector-space objects,
    join state, what the next export sends and the last error, with the files' age."""
    title = f"Connect server  ({len(server.files)} files, as of {_value(server.as_of)})"
    rows: list[tuple[str, object]] = []
    for name, side in (("AD", server.ad), ("Entra", server.entra)):
        if side is not None:
            rows += _space_rows(name, side)
    if server.ad is None and server.ad_dn:
        rows.append(("AD connector space", "not in it: filtered out" if server.filtered_out
                     else "not in the files read (no complete export of its domain, or not known on-premises)"))
    if server.sync is not None:
        rows.append(("single-object sync", f"{server.sync.status or 'no status'} {_value(server.sync.started)}"
                     + (f": {server.sync.reason}" if server.sync.reason else "")))
    if server.scheduler is not None:
        s = server.scheduler
        rows.append(("scheduler", f"sync cycle {_said(s.sync_cycle_enabled)}, staging {_said(s.staging_mode)}, "
                     f"last run {_value(s.last_run)}, next {_value(s.next_run)}"))
    return _section(title, rows) if rows else _block(title, "the files hold nothing about this object")


def render_detail(obj: DirectoryObject, facts: ObjectFacts | None, note: str, show_xml: bool,
                  on_premises: OnPremisesFacts | None = None, server: ServerFacts | None = None) -> RenderableType:
    parts: list[RenderableType] = [
        Text(f"{safe_text(obj.display_name)}  ({obj.kind.value}, {_sync_state(obj)})", style="bold"),
        _section("Identity", [
            ("id", obj.id if obj.in_entra else "none: not in Entra ID"), ("userPrincipalName", obj.user_principal_name),
            ("mail", obj.mail),
            ("mailNickname", obj.mail_nickname), ("accountEnabled", obj.account_enabled),
            (f"proxyAddresses ({len(obj.proxy_addresses)})", "\n".join(obj.proxy_addresses)),
        ]),
        _section("On-premises", [
            ("onPremisesSyncEnabled", "null (never synced)" if obj.sync_enabled is None else obj.sync_enabled),
            ("lastSync", obj.last_sync), ("immutableId", obj.immutable_id),
            ("distinguishedName", obj.distinguished_name), ("sAMAccountName", obj.sam_account_name),
            ("securityIdentifier", obj.security_identifier), ("userPrincipalName", obj.on_premises_upn),
            ("domain", obj.on_premises_domain), ("netBIOS", obj.on_premises_netbios),
        ]),
    ]
    if on_premises is not None:
        parts.append(_active_directory(obj, on_premises))
    if server is not None:
        parts.append(_connect_server(server))
    errors = [(f"{e.category} on {e.property_raw}", f"{e.value}  (since {_value(e.occurred)})")
              for e in obj.provisioning_errors]
    for service in obj.service_errors:
        state = "resolved" if service.resolved else "unresolved"
        # one element per line: Graph sends the XML as one line, which folded mid-tag
        detail = re.sub(r">\s*<", ">\n<", service.detail_xml) if show_xml else service.summary
        errors.append((f"{service.service_instance} ({state}, {_value(service.created)})", detail))
    if errors:
        title = "Errors" + ("" if show_xml or not obj.service_errors else "  (x: raw XML)")
        parts.append(_errors(title, errors))
    if obj.export_errors:
        where = "" if obj.in_entra else "  — not in Entra ID: its export failed"
        reporters = ", ".join(dict.fromkeys(REPORTED_BY.get(e.source, e.source) for e in obj.export_errors))
        parts.append(Group(Text(f"Export errors ({reporters}){where}", style="bold underline"),
                           *(_export_error(e) for e in obj.export_errors)))
    holders = sorted({h.id: h for found in (facts.holders.values() if facts else ()) for h in found}.values(),
                     key=lambda h: h.display_name.casefold())
    if holders:
        parts.append(_comparison(obj, holders))
        if len(holders) > SIDE_BY_SIDE:
            more = ", ".join(safe_text(h.display_name) for h in holders[SIDE_BY_SIDE:])
            parts.append(Text(f"and {len(holders) - SIDE_BY_SIDE} more: {more}"))
    if note:
        parts.append(_block("Note (n to edit)", note))
    return Group(*parts)


class DetailPane(VerticalScroll, can_focus=True):
    """The selected object in full; it scrolls with the list's keys too."""

    BINDINGS = moves("detail", {"up": ("scroll_up", "Scroll up"), "down": ("scroll_down", "Scroll down"),
                                "page_up": ("page_up", "Page up"), "page_down": ("page_down", "Page down"),
                                "top": ("scroll_home", "Top"), "bottom": ("scroll_end", "Bottom")})
    shown: RenderableType = ""
    #: Whose detail is shown: another object starts at its top, a refresh keeps the place.
    object_id: str | None = None

    DEFAULT_CSS = """
    DetailPane { background: $surface; padding: 0 1; }
    DetailPane > Static { width: 100%; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Select an object to see it in full.", id="detail-body", markup=False)

    def show(self, renderable: RenderableType, object_id: str | None = None) -> None:
        self.shown = renderable
        self.query_one("#detail-body", Static).update(renderable)
        if object_id != self.object_id:
            self.object_id = object_id
            self.scroll_home(animate=False)
