"""A first-come, first-served queue in front of the connection pool, with a deadline per place.

Requests beyond the pool's size wait here in arrival order (asyncpg's pool lets a newcomer take
a connection just returned before one that was already waiting, and the tail grows to seconds).
A request still waiting after ``timeout`` seconds fails with ``DatabaseBusyError`` (a 503), so a
lock held elsewhere cannot stall every request indefinitely.

One timer serves every waiter, armed for the oldest one's deadline (waiters queue in deadline
order, since all wait the same time), instead of a timeout object per waiting request: under
load every request waits here, and that per-request timer was 2 % of a short read's time.
"""

from __future__ import annotations

import asyncio
from collections import deque

from app.errors import DatabaseBusyError


class Gate:
    def __init__(self, places: int, timeout: float) -> None:
        self.free = places
        self.timeout = timeout
        self._waiting: deque[tuple[float, asyncio.Future[None]]] = deque()
        self._timer: asyncio.TimerHandle | None = None

    async def enter(self) -> None:
        if self.free and not self._waiting:
            self.free -= 1
            return
        loop = asyncio.get_running_loop()
        place: asyncio.Future[None] = loop.create_future()
        self._waiting.append((loop.time() + self.timeout, place))
        if self._timer is None:
            self._timer = loop.call_at(self._waiting[0][0], self._expire)
        try:
            await place
        except asyncio.CancelledError:
            if place.done() and not place.cancelled() and place.exception() is None:
                self.leave()  # handed a place just as the request was cancelled: pass it on
            raise

    def leave(self) -> None:
        """Give the place to the longest-waiting request, or free it."""
        while self._waiting:
            _, place = self._waiting.popleft()
            if not place.done():
                place.set_result(None)
                return
        self.free += 1

    def _expire(self) -> None:
        self._timer = None
        loop = asyncio.get_running_loop()
        now = loop.time()
        while self._waiting and (self._waiting[0][0] <= now or self._waiting[0][1].done()):
            _, place = self._waiting.popleft()
            if not place.done():
                place.set_exception(DatabaseBusyError())
        if self._waiting:
            self._timer = loop.call_at(self._waiting[0][0], self._expire)

    @property
    def waiting(self) -> int:
        return sum(1 for _, place in self._waiting if not place.done())
