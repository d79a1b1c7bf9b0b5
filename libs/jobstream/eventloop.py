"""The event loop the long-running services run on: uvloop (libuv, in C) instead of asyncio's.

The stages spend most of their plumbing CPU in the event loop, faust and aiokafka
(docs/benchmarks.md); uvloop's loop does the same scheduling and socket work for less CPU.
A policy, not one loop: faust's aiokafka consumer runs in a thread with a loop of its own,
and the policy gives that thread's loop uvloop too.
"""

from __future__ import annotations

import asyncio

import uvloop


def use_uvloop() -> None:
    """Make every event loop created from now on in this process a uvloop loop."""
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
