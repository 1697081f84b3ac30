"""Keeping the cyclic garbage collector's pauses off the dashboard.

A full collection walks every tracked object: once 100,000 objects in error are read
(about three million tracked objects: objects, errors, raw JSON, rows, the index) each
one held the whole process, event loop included, for 1 to 2.7 s, every 6 to 9 s of a
cold refresh (measured with ``gc.callbacks``). Directory data read in bulk lives until a
later refresh replaces it, and it holds no reference cycles, so refcounting alone frees
it then: it is frozen out of the collector's reach as it arrives.

Only bulk arrivals are frozen. Garbage cycles alive at a freeze are frozen too and never
collected, so freezing after every small delta round would leak a little each time;
bulk arrivals (a cold start, a resync, the cached list) are few.
"""

from __future__ import annotations

import gc
import threading

#: Objects read since the last freeze before the next one: below this, a full collection
#: costs little and the collector keeps its normal schedule.
BULK = 5_000


def resume_after_start_up() -> None:
    """Start-up creates a few hundred thousand objects, nearly all living as long as the
    process (modules, classes, styles, the first screen). Collecting while they pile up
    cost the dashboard about 30 ms before its first frame, so the CLI pauses collection
    until then; afterwards they are frozen out of every later collection. The little
    cyclic garbage start-up leaves (its parser: about a thousand objects) is frozen with
    them, as a full collection here would hold up the first refresh."""
    gc.freeze()
    gc.enable()


class LongLived:
    """Counts directory objects as they arrive and freezes once a bulk has."""

    def __init__(self, bulk: int = BULK) -> None:
        self._bulk = bulk
        self._pending = 0
        self._lock = threading.Lock()  # pages arrive on the event loop, cached objects in a thread

    def arrived(self, count: int) -> None:
        with self._lock:
            self._pending += count
            if self._pending < self._bulk:
                return
            self._pending = 0
        # the young generations first: their garbage is swept, not frozen (a few ms)
        gc.collect(1)
        gc.freeze()
