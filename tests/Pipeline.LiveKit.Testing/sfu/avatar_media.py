"""The loopback SFU's stand-in avatar media: colour bars and a 440 Hz tone, generated in real time."""
import asyncio
import fractions
import math
import time

import av
import numpy
from aiortc.mediastreams import MediaStreamTrack, VideoStreamTrack

BARS = [(235, 235, 235), (235, 235, 16), (16, 235, 235), (16, 235, 16),
        (235, 16, 235), (235, 16, 16), (16, 16, 235), (16, 16, 16)]


class ColourBars(VideoStreamTrack):
    """Eight vertical bars, the same in every frame, at 30 fps."""

    def __init__(self, width, height):
        super().__init__()
        image = numpy.zeros((height, width, 3), dtype=numpy.uint8)
        for x in range(width):
            image[:, x] = BARS[x * len(BARS) // width]
        self._image = image

    async def recv(self):
        pts, time_base = await self.next_timestamp()
        frame = av.VideoFrame.from_ndarray(self._image, format="rgb24")
        frame.pts, frame.time_base = pts, time_base
        return frame


class Tone(MediaStreamTrack):
    """A 440 Hz sine, amplitude 8000, 48 kHz mono, 20 ms frames, paced in real time."""
    kind = "audio"

    def __init__(self):
        super().__init__()
        self._sample = 0
        self._start = None

    async def recv(self):
        rate, samples = 48000, 960
        if self._start is None:
            self._start = time.time()
        else:
            wait = self._start + self._sample / rate - time.time()
            if wait > 0:
                await asyncio.sleep(wait)
        n = numpy.arange(self._sample, self._sample + samples)
        pcm = (8000 * numpy.sin(2 * math.pi * 440 * n / rate)).astype(numpy.int16)
        frame = av.AudioFrame(format="s16", layout="mono", samples=samples)
        frame.planes[0].update(pcm.tobytes())
        frame.sample_rate, frame.pts, frame.time_base = rate, self._sample, fractions.Fraction(1, rate)
        self._sample += samples
        return frame
