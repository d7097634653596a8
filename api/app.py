"""The application serving ``POST /calculation-requests``: BlackSheep, with a direct ASGI path for calculations."""

import logging
from collections.abc import Awaitable, Callable

import msgspec
from blacksheep import Application, Content, Request, Response
from blacksheep.contents import ASGIContent
from blacksheep.exceptions import MessageAborted

from api.docs_page import render_docs_page
from api.openapi import CALCULATION_PATH, SERVICE_VERSION, openapi_document, openapi_json
from api.request_body import BodyReadDeadlines, check_content_type, check_nesting_depth, check_utf8, read_body
from api.registry import SchemeRegistry, rates_for_request
from api.settings import Settings
from model import wire
from model.calculation import calculate
from model.warmup import warm_kernels_in_background

log = logging.getLogger("pension_engine")

_JSON = b"application/json"
_encoder = msgspec.json.Encoder()


def json_response(status: int, body: bytes) -> Response:
    return Response(status, None, Content(_JSON, body))


# Statuses sent before the body was read to its end: the connection is closed
# so unread bytes cannot be taken for the next request.
_CLOSE_AFTER = frozenset((408, 413))


def _error_body(status: int, message: str) -> bytes:
    return _encoder.encode(wire.ErrorResponse(status=status, message=message))


def error_response(status: int, message: str, headers: list[tuple[bytes, bytes]] | None = None) -> Response:
    if status in _CLOSE_AFTER:
        headers = [*(headers or ()), (b"Connection", b"close")]
    return Response(status, headers, Content(_JSON, _error_body(status, message)))


class CalculationEndpoint:
    """``POST /calculation-requests`` from the request's headers and ASGI ``receive`` to a status and JSON body."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.registry: SchemeRegistry | None = None  # set at start-up when a registry URL is configured
        self.body_deadlines = BodyReadDeadlines(settings.body_read_timeout_seconds)

    async def start(self, application: Application) -> None:
        warm_kernels_in_background()
        settings = self.settings
        if settings.scheme_registry_url:
            self.registry = SchemeRegistry(
                settings.scheme_registry_url, settings.scheme_registry_cache_ttl, settings.scheme_registry_max_connections
            )

    async def stop(self, application: Application) -> None:
        if self.registry is not None:
            await self.registry.aclose()

    async def respond(
        self, content_type: bytes | None, content_length: bytes | None, receive: Callable[[], Awaitable[dict]]
    ) -> tuple[int, bytes]:
        """Process one calculation request and return the response status and JSON body."""
        settings = self.settings
        try:
            check_content_type(content_type)
            body = await read_body(receive, content_length, settings.max_body_bytes, self.body_deadlines)
            check_utf8(body)
            check_nesting_depth(body, settings.max_json_depth)
            calculation_request, mutations = wire.decode_request(body, settings.max_mutations)
            rates = await rates_for_request(self.registry, mutations)
            response = calculate(calculation_request, mutations, rates=rates, limits=settings.limits)
            return 200, _encoder.encode(response)
        except wire.RequestError as error:
            return error.status, _error_body(error.status, error.message)
        except MessageAborted:
            # The client disconnected mid-body: nobody reads this response.
            log.debug("client disconnected before sending the whole request body")
            return 400, _error_body(400, "Request body incomplete: the client disconnected")
        except Exception:
            log.exception("calculation request failed with an internal error")
            return 500, _error_body(500, "Internal server error")


async def _receive_nothing() -> dict:
    return {"type": "http.request", "body": b"", "more_body": False}


def create_app(settings: Settings | None = None, endpoint: CalculationEndpoint | None = None) -> Application:
    """Build the BlackSheep application; settings default to the environment's.

    The server runs it behind ``ServingApp``, which handles calculation
    requests itself; this application's own calculation route serves them
    only when it runs alone.
    """
    endpoint = endpoint or CalculationEndpoint(settings or Settings.from_environment())
    app = Application(show_error_details=False)
    app.on_start += endpoint.start
    app.on_stop += endpoint.stop

    async def calculation_requests(request: Request) -> Response:
        content = request.content
        receive = content.receive if isinstance(content, ASGIContent) else _receive_nothing
        status, body = await endpoint.respond(
            request.get_first_header(b"content-type"), request.get_first_header(b"content-length"), receive
        )
        if status in _CLOSE_AFTER:
            return Response(status, [(b"Connection", b"close")], Content(_JSON, body))
        return json_response(status, body)

    app.router.add_post(CALCULATION_PATH, calculation_requests)
    add_service_routes(app)
    return app


class ServingApp:
    """The ASGI application uvicorn serves: calculation requests directly, everything else through BlackSheep.

    Handling ``POST /calculation-requests`` without BlackSheep's request and
    response objects, routing and middleware chain saves their per-request
    cost. Both paths call the same ``CalculationEndpoint``, and the response
    carries the same status, headers and body.
    """

    def __init__(self, application: Application, endpoint: CalculationEndpoint):
        self.application = application
        self.endpoint = endpoint

    async def __call__(self, scope: dict, receive: Callable[[], Awaitable[dict]], send: Callable) -> None:
        if scope["type"] != "http" or scope["path"] != CALCULATION_PATH or scope["method"] != "POST" or scope.get("root_path"):
            await self.application(scope, receive, send)
            return
        if not self.application.started:
            await self.application.start()  # no lifespan events from the server

        content_type = content_length = None
        for name, value in scope["headers"]:  # ASGI header names are lower case
            if name == b"content-type":
                if content_type is None:
                    content_type = value
            elif name == b"content-length":
                if content_length is None:
                    content_length = value
        status, body = await self.endpoint.respond(content_type, content_length, receive)

        headers = [(b"content-type", _JSON), (b"content-length", str(len(body)).encode())]
        if status in _CLOSE_AFTER:
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def create_serving_app(settings: Settings | None = None) -> ServingApp:
    """Build the ASGI application the server runs; settings default to the environment's."""
    endpoint = CalculationEndpoint(settings or Settings.from_environment())
    return ServingApp(create_app(endpoint=endpoint), endpoint)


_ALLOWED_METHODS = {CALCULATION_PATH: b"POST", "/health": b"GET", "/openapi.json": b"GET", "/docs": b"GET"}


def add_service_routes(app: Application) -> None:
    """Add health, OpenAPI and documentation routes, and JSON bodies for 404, 405 and unhandled 500."""
    health_body = _encoder.encode({"status": "ok", "version": SERVICE_VERSION})

    async def health(request: Request) -> Response:
        return json_response(200, health_body)

    async def openapi(request: Request) -> Response:
        return json_response(200, openapi_json())

    async def docs(request: Request) -> Response:
        return Response(200, None, Content(b"text/html; charset=utf-8", render_docs_page(openapi_document()).encode()))

    async def fallback(request: Request) -> Response:
        path = request.path
        allowed = _ALLOWED_METHODS.get(path)
        if allowed is None:
            return error_response(404, f"Not found: no resource at {path!r}")
        return error_response(
            405, f"Method {request.method} not allowed on {path}: use {allowed.decode()}", [(b"Allow", allowed)]
        )

    async def internal_error(application: Application, request: Request, error: Exception) -> Response:
        # BlackSheep has already logged the exception with its traceback.
        return error_response(500, "Internal server error")

    app.router.add_get("/health", health)
    app.router.add_get("/openapi.json", openapi)
    app.router.add_get("/docs", docs)
    app.router.fallback = fallback
    app.exceptions_handlers[500] = internal_error


app = create_serving_app()
