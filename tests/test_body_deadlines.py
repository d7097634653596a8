"""The shared timer that cuts off request bodies read for too long."""

import asyncio

from api.request_body import BodyReadDeadlines


async def read_forever(deadlines: BodyReadDeadlines, outcome: dict) -> None:
    task = asyncio.current_task()
    deadlines.watch(task, asyncio.get_running_loop())
    try:
        await asyncio.get_running_loop().create_future()  # a body that never arrives
    except asyncio.CancelledError:
        outcome["expired"] = deadlines.unwatch(task)
        if not outcome["expired"]:
            raise
        task.uncancel()


async def read_at_once(deadlines: BodyReadDeadlines) -> bool:
    task = asyncio.current_task()
    deadlines.watch(task, asyncio.get_running_loop())
    await asyncio.sleep(0)
    return deadlines.unwatch(task)


def test_stalled_read_cancelled_as_expired():
    async def scenario():
        deadlines = BodyReadDeadlines(0.05)
        outcome = {}
        await asyncio.wait_for(read_forever(deadlines, outcome), timeout=5)
        return outcome

    assert asyncio.run(scenario()) == {"expired": True}


def test_quick_read_not_expired():
    async def scenario():
        deadlines = BodyReadDeadlines(0.05)
        expired = await read_at_once(deadlines)
        await asyncio.sleep(0.2)  # past the deadline, after the read finished
        return expired

    assert asyncio.run(scenario()) is False


def test_other_cancellation_passes_through():
    async def scenario():
        deadlines = BodyReadDeadlines(60)
        outcome = {}
        task = asyncio.create_task(read_forever(deadlines, outcome))
        await asyncio.sleep(0.01)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            return outcome, "cancelled"
        return outcome, "finished"

    outcome, state = asyncio.run(scenario())
    assert outcome == {"expired": False}
    assert state == "cancelled"


def test_timer_stops_when_idle():
    async def scenario():
        deadlines = BodyReadDeadlines(0.05)
        await read_at_once(deadlines)
        await asyncio.sleep(0.1)  # one timer tick with no read in flight
        return deadlines._timer

    assert asyncio.run(scenario()) is None
