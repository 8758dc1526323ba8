"""The gate in front of the pool: first come, first served, a deadline per place, no leaks."""

from __future__ import annotations

import asyncio

import pytest

from app.core.gate import Gate
from app.errors import DatabaseBusyError


async def test_places_go_in_arrival_order() -> None:
    gate = Gate(places=1, timeout=5)
    await gate.enter()
    served: list[int] = []

    async def request(number: int) -> None:
        await gate.enter()
        served.append(number)
        gate.leave()

    waiting = [asyncio.create_task(request(number)) for number in range(5)]
    await asyncio.sleep(0)
    assert gate.waiting == 5
    gate.leave()
    await asyncio.gather(*waiting)
    assert served == [0, 1, 2, 3, 4]
    assert gate.free == 1


async def test_a_request_that_waits_past_the_timeout_is_refused_and_takes_no_place() -> None:
    gate = Gate(places=1, timeout=0.05)
    await gate.enter()
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(DatabaseBusyError):
        await gate.enter()
    assert loop.time() - started >= 0.05
    gate.leave()
    assert gate.free == 1  # the refused request left nothing behind
    await asyncio.wait_for(gate.enter(), 1)


async def test_only_the_late_are_refused_and_the_timer_follows_the_queue() -> None:
    gate = Gate(places=1, timeout=0.2)
    await gate.enter()
    early = asyncio.create_task(gate.enter())
    await asyncio.sleep(0.1)
    late = asyncio.create_task(gate.enter())
    await asyncio.sleep(0.15)  # past the early one's deadline, not the late one's
    assert isinstance(early.exception(), DatabaseBusyError)
    assert not late.done()
    gate.leave()
    await asyncio.wait_for(late, 1)
    assert gate.waiting == 0


async def test_a_cancelled_waiter_does_not_keep_or_lose_a_place() -> None:
    gate = Gate(places=1, timeout=5)
    await gate.enter()
    cancelled = asyncio.create_task(gate.enter())
    after = asyncio.create_task(gate.enter())
    await asyncio.sleep(0)
    cancelled.cancel()
    await asyncio.sleep(0)
    gate.leave()
    await asyncio.wait_for(after, 1)  # the place skipped the cancelled request
    gate.leave()
    assert gate.free == 1


async def test_a_place_handed_to_a_request_cancelled_at_that_moment_is_passed_on() -> None:
    gate = Gate(places=1, timeout=5)
    await gate.enter()
    unlucky = asyncio.create_task(gate.enter())
    after = asyncio.create_task(gate.enter())
    await asyncio.sleep(0)
    gate.leave()  # the place goes to `unlucky` ...
    unlucky.cancel()  # ... which is cancelled before it runs again
    with pytest.raises(asyncio.CancelledError):
        await unlucky
    await asyncio.wait_for(after, 1)
    gate.leave()
    assert gate.free == 1
