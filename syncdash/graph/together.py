"""Concurrent Graph reads that fail together."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar, overload

T = TypeVar("T")
T1 = TypeVar("T1")
T2 = TypeVar("T2")
T3 = TypeVar("T3")
T4 = TypeVar("T4")


@overload
async def all_or_none(step1: Awaitable[T1], step2: Awaitable[T2], /) -> tuple[T1, T2]: ...
@overload
async def all_or_none(step1: Awaitable[T1], step2: Awaitable[T2], step3: Awaitable[T3], /) -> tuple[T1, T2, T3]: ...
@overload
async def all_or_none(
    step1: Awaitable[T1], step2: Awaitable[T2], step3: Awaitable[T3], step4: Awaitable[T4], /
) -> tuple[T1, T2, T3, T4]: ...
@overload
async def all_or_none(*steps: Awaitable[T]) -> tuple[T, ...]: ...
async def all_or_none(*steps: Awaitable[Any]) -> tuple[Any, ...]:
    """``asyncio.gather``, except that the first failure cancels the other reads before it
    is raised: gather leaves them running, still sending requests (and retrying through
    throttling) to a tenant whose read has already failed. The results come in the order
    of ``steps``, each with its own step's type."""
    tasks = [asyncio.ensure_future(step) for step in steps]
    try:
        return tuple(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
