"""Stand-in for the PyPI package `soxr` (python-soxr; not reachable, not in Debian 12).

Used only by pipecat's audio resamplers; the pass-through benchmark never
resamples. Any real use fails loudly.
"""


def resample(*_args, **_kwargs):
    raise NotImplementedError("soxr shim: not available on this machine")


class ResampleStream:
    def __init__(self, *_args, **_kwargs):
        raise NotImplementedError("soxr shim: not available on this machine")
