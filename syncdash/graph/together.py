"""Concurrent Graph reads that fail together."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


async def all_or_none(*steps: Awaitable[T]) -> list[T]:
    """``asyncio.gather``, except that the first failure cancels the other reads before it
    is raised: gather leaves them running, still sending requests (and retrying through
    throttling) to a tenant whose read has already failed."""
    tasks = [asyncio.ensure_future(step) for step in steps]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
