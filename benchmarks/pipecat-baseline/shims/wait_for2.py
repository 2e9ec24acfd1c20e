"""Minimal stand-in for the PyPI package `wait_for2` (not reachable here).

Pipecat replaces asyncio.wait_for with wait_for2.wait_for on Python < 3.12.
This shim gives Python 3.12's semantics (wait_for built on asyncio.timeout),
which Python 3.11 already provides.
"""
import asyncio


async def wait_for(fut, timeout, **_kwargs):
    if timeout is not None and timeout <= 0:
        fut = asyncio.ensure_future(fut)
        if fut.done():
            return fut.result()
        fut.cancel()
        try:
            await fut
        except asyncio.CancelledError as exc:
            raise TimeoutError from exc
        return fut.result()
    async with asyncio.timeout(timeout):
        return await fut
