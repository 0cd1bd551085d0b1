"""The server's start-up heap is frozen out of the garbage collector's sight (app/main.py):
full collections walking the 150,000 objects of code, templates and tables paused every page
for 50–110 ms under load (issue #15, bench/README.md). What requests make is still collected."""

from __future__ import annotations

import gc

from app.main import create_app


async def test_the_start_up_heap_is_frozen_and_request_garbage_is_still_collected():
    gc.unfreeze()
    app = create_app(run_scheduler=False)
    try:
        async with app.lifespan():
            frozen = gc.get_freeze_count()
            assert frozen > 10_000, "the code, templates and tables are frozen"

            class Cycle:
                pass

            a, b = Cycle(), Cycle()
            a.other, b.other = b, a
            del a, b
            assert gc.collect() >= 2, "a cycle made after the start is collected"
            assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
