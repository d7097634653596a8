"""The BlackSheep application serving ``POST /calculation-requests``."""

import logging

import msgspec
from blacksheep import Application, Content, Request, Response

from api.settings import Settings
from model import wire
from model.calculation import calculate
from model.warmup import warm_kernels_in_background

log = logging.getLogger("pension_engine")

_JSON = b"application/json"
_encoder = msgspec.json.Encoder()


def json_response(status: int, body: bytes) -> Response:
    return Response(status, None, Content(_JSON, body))


def error_response(status: int, message: str) -> Response:
    return json_response(status, _encoder.encode(wire.ErrorResponse(status=status, message=message)))


async def read_body(request: Request, limit: int) -> bytes:
    """Read the request body, raising a 413 ``RequestError`` as soon as it exceeds ``limit`` bytes."""
    declared = request.get_first_header(b"content-length")
    too_large = wire.RequestError(f"Request body exceeds the limit of {limit} bytes", status=413)
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large
    if request.content is None:
        return b""

    chunks = []
    size = 0
    async for chunk in request.stream():
        if chunk:
            size += len(chunk)
            if size > limit:
                raise too_large
            chunks.append(chunk)
    return b"".join(chunks)


def create_app(settings: Settings | None = None) -> Application:
    """Build the application; settings default to the environment's."""
    settings = settings or Settings.from_environment()
    app = Application(show_error_details=False)

    async def start(application: Application) -> None:
        warm_kernels_in_background()

    app.on_start += start

    async def calculation_requests(request: Request) -> Response:
        try:
            body = await read_body(request, settings.max_body_bytes)
            calculation_request, mutations = wire.decode_request(body)
            response = calculate(calculation_request, mutations, limits=settings.limits)
            return json_response(200, _encoder.encode(response))
        except wire.RequestError as error:
            return error_response(error.status, error.message)
        except Exception:
            log.exception("calculation request failed with an internal error")
            return error_response(500, "Internal server error")

    app.router.add_post("/calculation-requests", calculation_requests)
    return app


app = create_app()
