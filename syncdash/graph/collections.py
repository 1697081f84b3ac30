"""Where each kind of directory object lives in Graph, and how to list it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from syncdash.graph.fetch import page_items, pages, query
from syncdash.graph.links import checked
from syncdash.graph.fields import FIELDS
from syncdash.graph.parse import directory_object
from syncdash.model import DirectoryObject, ObjectKind

if TYPE_CHECKING:
    from msgraph import GraphServiceClient

#: Graph's largest page for users, groups and contacts.
MAX_PAGE = 999

#: A page of Graph's JSON objects, and parsed objects: named out here because inside
#: Collection ``list`` is its method, not the builtin.
RawPage = list[dict[str, Any]]
Objects = list[DirectoryObject]


@dataclass(frozen=True, slots=True)
class Collection:
    """A listable set of directory objects: live users/groups/contacts, or a recycle bin."""

    kind: ObjectKind
    deleted: bool = False

    @property
    def resource(self) -> str:
        """The path below /v1.0, also the key of error messages and permission hints."""
        if self.deleted:
            return f"deletedItems/microsoft.graph.{self.kind.value}"
        return {ObjectKind.USER: "users", ObjectKind.GROUP: "groups"}.get(self.kind, "contacts")

    @property
    def fields(self) -> list[str]:
        return [*FIELDS[self.kind], "deletedDateTime"] if self.deleted else list(FIELDS[self.kind])

    def builder(self, client: GraphServiceClient) -> Any:
        if self.deleted:
            deleted = client.directory.deleted_items
            return deleted.graph_user if self.kind is ObjectKind.USER else deleted.graph_group
        if self.kind is ObjectKind.USER:
            return client.users
        return client.groups if self.kind is ObjectKind.GROUP else client.contacts

    async def list(
        self,
        client: GraphServiceClient,
        *,
        filter: str | None = None,
        top: int | None = MAX_PAGE,
    ) -> AsyncIterator[Objects]:
        """Pages of parsed objects with the fields syncdash reads, each page parsed in a
        thread (999 objects are tens of milliseconds a dashboard's keys would wait for)."""
        async for page in self.list_raw(client, filter=filter, top=top):
            yield await asyncio.to_thread(self._parse, page)

    def _parse(self, page: RawPage) -> Objects:
        return [directory_object(raw, self.kind) for raw in page]

    async def list_raw(
        self,
        client: GraphServiceClient,
        *,
        filter: str | None = None,
        top: int | None = MAX_PAGE,
    ) -> AsyncIterator[RawPage]:
        """Pages of Graph's JSON, for callers that keep it (the mirror merges changes)."""
        builder = self.builder(client)
        params = query(builder, select=self.fields, filter=filter, top=top)
        async for page in pages(builder, self.resource, params):
            yield page

    async def rest_of(self, client: GraphServiceClient, body: dict[str, Any]) -> RawPage:
        """Every object of the pages after a first page read elsewhere (a ``$batch`` step):
        its next link checked like any other, the pages read like a listing's."""
        items = page_items(body, self.resource)
        link = body.get("@odata.nextLink")
        if isinstance(link, str) and link:
            builder = self.builder(client)
            checked(builder.request_adapter.base_url.rstrip("/"), link, self.resource)
            async for page in pages(builder.with_url(link), self.resource):
                items += page
        return items

    async def find(self, client: GraphServiceClient, filter: str) -> Objects:
        """Every object matching a filter (lookups match few objects: small pages suffice)."""
        found: Objects = []
        async for page in self.list(client, filter=filter, top=None):
            found += page
        return found


LIVE = tuple(Collection(kind) for kind in ObjectKind)
RECYCLE_BIN = (Collection(ObjectKind.USER, deleted=True), Collection(ObjectKind.GROUP, deleted=True))
