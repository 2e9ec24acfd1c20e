"""Stand-in for the PyPI package `loudness` (not reachable here).

Used only by pipecat.audio.utils.calculate_audio_volume (VAD volume); the
pass-through benchmark never calls it. Any real use fails loudly.
"""


def integrated_loudness(*_args, **_kwargs):
    raise NotImplementedError("loudness shim: not available on this machine")
