#!/usr/bin/env python3
"""Pipecat pass-through throughput baseline.

Pipeline of 10 trivial FrameProcessors (each: super().process_frame, then
push_frame) plus a sink processor at the end that counts data frames and
timestamps the EndFrame. Run by PipelineWorker (== deprecated PipelineTask)
under WorkerRunner (== deprecated PipelineRunner), with RTVI, turn tracking,
idle timeout, heartbeats and metrics all off and no observers: Pipecat's best
case for this path (each processor still uses its default queued mode unless
--direct is given).

Timed region: from the first worker.queue_frame() (issued once the StartFrame
has reached the end of the pipeline) to the EndFrame reaching the sink
processor. Frames are built before the timed region.
Also reported: frames per process-CPU-second over the same region
(time.process_time), which is less affected by other load on a shared box.

Usage (on the measuring machine; see README next to this file):
  PYTHONPATH=shims:vendor:pipecat-src/src /usr/bin/python3 bench_pipecat.py \
      [-n 20000] [--reps 5] [--frame text|audio] [--direct] [--tracemalloc]
"""

import argparse
import asyncio
import gc
import platform
import statistics
import sys
import time
import tracemalloc

import pydantic_v2_compat  # noqa: F401  (must precede pipecat imports; see shims/)
from loguru import logger

logger.remove()
logger.add(sys.stderr, level="WARNING")

import pipecat  # noqa: E402
from pipecat.frames.frames import EndFrame, OutputAudioRawFrame, TextFrame  # noqa: E402
from pipecat.pipeline.pipeline import Pipeline  # noqa: E402
from pipecat.pipeline.worker import PipelineParams, PipelineWorker  # noqa: E402
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor  # noqa: E402
from pipecat.workers.runner import WorkerRunner  # noqa: E402

N_STAGES = 10


class PassThrough(FrameProcessor):
    async def process_frame(self, frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        await self.push_frame(frame, direction)


class Sink(FrameProcessor):
    def __init__(self, data_type, **kwargs):
        super().__init__(**kwargs)
        self.data_type = data_type
        self.count = 0
        self.t_end = None

    async def process_frame(self, frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if isinstance(frame, self.data_type):
            self.count += 1
        elif isinstance(frame, EndFrame):
            self.t_end = time.perf_counter()
            self.cpu_end = time.process_time()
        await self.push_frame(frame, direction)


def make_frames(n, kind):
    if kind == "text":
        return [TextFrame("x") for _ in range(n)]
    audio = bytes(640)  # 20 ms of 16 kHz mono s16le
    return [OutputAudioRawFrame(audio=audio, sample_rate=16000, num_channels=1) for _ in range(n)]


async def one_run(n, kind, direct):
    data_type = TextFrame if kind == "text" else OutputAudioRawFrame
    stages = [PassThrough(enable_direct_mode=direct) for _ in range(N_STAGES)]
    sink = Sink(data_type, enable_direct_mode=direct)
    pipeline = Pipeline([*stages, sink])
    worker = PipelineWorker(
        pipeline,
        params=PipelineParams(
            enable_metrics=False,
            enable_usage_metrics=False,
            enable_heartbeats=False,
            send_initial_empty_metrics=False,
        ),
        enable_rtvi=False,
        enable_turn_tracking=False,
        enable_tracing=False,
        idle_timeout_secs=None,
        observers=[],
        check_dangling_tasks=False,
    )
    started = asyncio.Event()

    @worker.event_handler("on_pipeline_started")
    async def _on_started(_w, _f):
        started.set()

    frames = make_frames(n, kind)
    end = EndFrame()
    result = {}

    async def feed():
        await started.wait()
        if tracemalloc.is_tracing():
            # frames are already built; measure only what the pass adds on top
            result["mem_before"] = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
        result["cpu0"] = time.process_time()
        t0 = time.perf_counter()
        for f in frames:
            await worker.queue_frame(f)
        await worker.queue_frame(end)
        result["t0"] = t0

    runner = WorkerRunner(handle_sigint=False, check_dangling_tasks=False)
    await runner.add_workers(worker)
    feeder = asyncio.create_task(feed())
    await runner.run()
    await feeder
    if sink.count != n or sink.t_end is None:
        raise RuntimeError(f"sink saw {sink.count}/{n} data frames, end={sink.t_end}")
    if tracemalloc.is_tracing():
        result["peak_during"] = tracemalloc.get_traced_memory()[1] - result["mem_before"]
    result["cpu"] = sink.cpu_end - result["cpu0"]
    one_run.last = result
    return sink.t_end - result["t0"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=20_000)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--frame", choices=["text", "audio"], default="text")
    ap.add_argument("--direct", action="store_true", help="enable_direct_mode on all processors")
    ap.add_argument("--tracemalloc", action="store_true", help="one extra run under tracemalloc")
    a = ap.parse_args()

    print(f"pipecat {pipecat.__version__} | Python {platform.python_version()} "
          f"({sys.executable}) | stages={N_STAGES}+sink | frame={a.frame} | "
          f"direct_mode={a.direct} | N={a.n}")
    asyncio.run(one_run(min(a.n, 2000), a.frame, a.direct))  # warm-up, untimed
    rates, cpu_rates = [], []
    for i in range(a.reps):
        gc.collect()
        dt = asyncio.run(one_run(a.n, a.frame, a.direct))
        cpu = one_run.last["cpu"]
        rates.append(a.n / dt)
        cpu_rates.append(a.n / cpu)
        print(f"  rep {i + 1}: {dt * 1000:9.1f} ms wall {a.n / dt:10.0f} frames/s | "
              f"{cpu * 1000:9.1f} ms CPU {a.n / cpu:10.0f} frames/CPU-s")
    print(f"RESULT N={a.n} frame={a.frame} direct={a.direct}: median {statistics.median(rates):.0f} "
          f"min {min(rates):.0f} max {max(rates):.0f} frames/s "
          f"(median {statistics.median(rates) * N_STAGES:.0f} processor-hops/s over {N_STAGES} stages)")
    print(f"RESULT-CPU N={a.n} frame={a.frame} direct={a.direct}: median {statistics.median(cpu_rates):.0f} "
          f"min {min(cpu_rates):.0f} max {max(cpu_rates):.0f} frames per process-CPU-second "
          f"(less sensitive to other load on the machine)")
    print(f"LOADAVG {' '.join(open('/proc/loadavg').read().split()[:3])}")
    if a.tracemalloc:
        gc.collect()
        tracemalloc.start()
        dt = asyncio.run(one_run(a.n, a.frame, a.direct))
        cur, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        extra = one_run.last["peak_during"]
        print(f"TRACEMALLOC N={a.n}: whole-run peak {peak / 1e6:.1f} MB (incl. the {a.n} prebuilt frames); "
              f"peak above pre-run level during the timed pass {extra / 1e6:.2f} MB "
              f"(~{extra / a.n:.0f} B/frame); held after run {cur / 1e6:.1f} MB "
              f"(traced run took {dt * 1000:.0f} ms; not a throughput figure)")


if __name__ == "__main__":
    main()
