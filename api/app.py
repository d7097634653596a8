"""The BlackSheep application serving ``POST /calculation-requests``."""

import logging

import msgspec
from blacksheep import Application, Content, Request, Response
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


def error_response(status: int, message: str, headers: list[tuple[bytes, bytes]] | None = None) -> Response:
    if status in _CLOSE_AFTER:
        headers = [*(headers or ()), (b"Connection", b"close")]
    return Response(status, headers, Content(_JSON, _encoder.encode(wire.ErrorResponse(status=status, message=message))))


def create_app(settings: Settings | None = None) -> Application:
    """Build the application; settings default to the environment's."""
    settings = settings or Settings.from_environment()
    app = Application(show_error_details=False)

    registry: SchemeRegistry | None = None
    body_deadlines = BodyReadDeadlines(settings.body_read_timeout_seconds)

    async def start(application: Application) -> None:
        nonlocal registry
        warm_kernels_in_background()
        if settings.scheme_registry_url:
            registry = SchemeRegistry(
                settings.scheme_registry_url, settings.scheme_registry_cache_ttl, settings.scheme_registry_max_connections
            )

    async def stop(application: Application) -> None:
        if registry is not None:
            await registry.aclose()

    app.on_start += start
    app.on_stop += stop

    async def calculation_requests(request: Request) -> Response:
        try:
            check_content_type(request.get_first_header(b"content-type"))
            body = await read_body(request, settings.max_body_bytes, body_deadlines)
            check_utf8(body)
            check_nesting_depth(body, settings.max_json_depth)
            calculation_request, mutations = wire.decode_request(body, settings.max_mutations)
            rates = await rates_for_request(registry, mutations)
            response = calculate(calculation_request, mutations, rates=rates, limits=settings.limits)
            return json_response(200, _encoder.encode(response))
        except wire.RequestError as error:
            return error_response(error.status, error.message)
        except MessageAborted:
            # The client disconnected mid-body, so this response is never read.
            log.debug("client disconnected before sending the whole request body")
            return error_response(400, "Request body incomplete: the client disconnected")
        except Exception:
            log.exception("calculation request failed with an internal error")
            return error_response(500, "Internal server error")

    app.router.add_post(CALCULATION_PATH, calculation_requests)
    add_service_routes(app)
    return app


_ALLOWED_METHODS = {CALCULATION_PATH: b"POST", "/health": b"GET, HEAD", "/openapi.json": b"GET", "/docs": b"GET"}


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
    app.router.add_head("/health", health)  # load balancers often probe with HEAD
    app.router.add_get("/openapi.json", openapi)
    app.router.add_get("/docs", docs)
    app.router.fallback = fallback
    app.exceptions_handlers[500] = internal_error


app = create_app()
