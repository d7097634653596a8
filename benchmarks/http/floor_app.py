"""The reference app's work as a BlackSheep route: the ceiling BlackSheep itself puts on the engine.

It does exactly what ``benchmarks.http.reference_app`` does (read the body,
decode it untyped, respond with a pre-built JSON body as long as the engine's
response), but as a route of a BlackSheep ``Application``, the way the
engine's endpoint is served. Its throughput is what the engine would reach if
its calculation cost nothing, so ``floor / reference`` bounds
``engine / reference`` from above. Run it as
``uvicorn benchmarks.http.floor_app:app`` with ``BENCH_LOAD_DIR`` set, like
the reference app.
"""

import msgspec
from blacksheep import Application, Content, Request, Response

from benchmarks.http.reference_app import response_payload

_decode = msgspec.json.decode
_JSON = b"application/json"

app = Application(show_error_details=False)


async def calculation_requests(request: Request) -> Response:
    body = await request.read() or b""
    _decode(body)
    return Response(200, None, Content(_JSON, response_payload(body)))


app.router.add_post("/calculation-requests", calculation_requests)
