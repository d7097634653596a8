"""The bare ASGI reference app: the floor cost of serving one request over uvicorn.

It reads the body, decodes it with msgspec (untyped) and returns a pre-built
JSON body as long as the engine's response to that request. Response sizes
come from the ``*.sizes`` files beside the ``*.bodies`` files in the directory
named by ``BENCH_LOAD_DIR`` (see ``benchmarks.http.loads``). Run it as
``uvicorn benchmarks.http.reference_app:app`` with the engine's loop, HTTP
and worker settings.
"""

import os
from pathlib import Path

import msgspec

_decode = msgspec.json.decode
_HEADERS = [(b"content-type", b"application/json")]
_FALLBACK_SIZE = 1024


def _load_sizes(directory: Path) -> dict[int, int]:
    """Map the hash of every request body of every load in ``directory`` to its response size in bytes."""
    sizes = {}
    for bodies_path in directory.glob("*.bodies"):
        lines = bodies_path.read_bytes().splitlines()
        counts = bodies_path.with_suffix(".sizes").read_text().split()
        for body, size in zip(lines, counts):
            sizes[hash(body)] = int(size)
    return sizes


_SIZES = _load_sizes(Path(os.environ["BENCH_LOAD_DIR"])) if "BENCH_LOAD_DIR" in os.environ else {}
# A JSON string of the largest size; a response is its first N - 2 characters, quoted.
_BLOB = b"x" * (max(_SIZES.values(), default=_FALLBACK_SIZE) + 1)


def response_payload(body: bytes) -> bytes:
    """Return a JSON string as long as the engine's response to ``body``."""
    size = _SIZES.get(hash(body), _FALLBACK_SIZE)
    return b'"' + _BLOB[: size - 2] + b'"'


async def app(scope, receive, send):
    if scope["type"] != "http":
        return  # lifespan: nothing to start or stop
    chunks = []
    more = True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    body = b"".join(chunks)

    _decode(body)
    payload = response_payload(body)
    headers = [*_HEADERS, (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
