"""Stand-in for the PyPI package `docstring_parser` (not reachable here).

Pipecat imports it only to build LLM function-calling schemas from Python
docstrings (pipecat.adapters.schemas.direct_function); the frame pass-through
path never calls it. Any real use fails loudly.
"""


class DocstringParam:  # only referenced in a type annotation
    pass


def parse(*_args, **_kwargs):
    raise NotImplementedError("docstring_parser shim: not available on this machine")
