"""A self-contained HTML page that renders the OpenAPI document on the server.

The page needs no JavaScript and loads nothing from elsewhere, so it works on
machines without internet access.
"""

import html
import json
import re
from typing import Any

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #1a1a1a; }
h1 { margin-bottom: 0.2rem; }
.operation { border: 1px solid #ccd; border-radius: 6px; margin: 1rem 0; padding: 0.5rem 1rem; }
.method { display: inline-block; min-width: 4rem; font-weight: bold; text-transform: uppercase; color: #fff;
          background: #2a6; border-radius: 4px; padding: 0.1rem 0.5rem; text-align: center; }
.method.post { background: #26a; }
code.path { font-size: 1.1rem; margin-left: 0.5rem; }
table { border-collapse: collapse; margin: 0.5rem 0; }
th, td { border: 1px solid #dde; padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f3f4f8; }
"""


def _escape(value: object) -> str:
    return html.escape(str(value), quote=True)


_LITERAL = re.compile(r"``(.+?)``")


def _prose(text: str) -> str:
    """Escape a description taken from a docstring, showing its ``literal`` markup as code."""
    return _LITERAL.sub(r"<code>\1</code>", _escape(text))


def _anchor(name: str) -> str:
    return f"schema-{name}"


def _link(ref: str) -> str:
    name = ref.rsplit("/", 1)[-1]
    return f'<a href="#{_anchor(name)}">{_escape(name)}</a>'


def describe_type(schema: dict[str, Any]) -> str:
    """Return an HTML fragment naming a schema's type, such as ``array of Message`` or ``number | null``."""
    if "$ref" in schema:
        return _link(schema["$ref"])
    for combinator in ("oneOf", "anyOf"):
        if combinator in schema:
            return " | ".join(describe_type(option) for option in schema[combinator])
    if "enum" in schema:
        return "one of " + ", ".join(f"<code>{_escape(json.dumps(value))}</code>" for value in schema["enum"])
    kind = schema.get("type", "any")
    if kind == "array":
        return "array of " + describe_type(schema.get("items", {}))
    text = _escape(kind)
    if "format" in schema:
        text += f" ({_escape(schema['format'])})"
    return text


def _constraints(schema: dict[str, Any]) -> str:
    names = ("minLength", "maxLength", "minItems", "maxItems", "minimum", "maximum")
    return ", ".join(f"{name} {_escape(schema[name])}" for name in names if name in schema)


def _operation_html(path: str, method: str, operation: dict[str, Any]) -> str:
    parts = [
        f'<section class="operation" id="{_escape(operation.get("operationId", path))}">',
        f'<h3><span class="method {_escape(method)}">{_escape(method)}</span>'
        f'<code class="path">{_escape(path)}</code></h3>',
        f"<p><strong>{_escape(operation.get('summary', ''))}</strong></p>",
    ]
    if "description" in operation:
        parts.append(f"<p>{_prose(operation['description'])}</p>")
    body = operation.get("requestBody")
    if body:
        for media_type, content in body["content"].items():
            parts.append(f"<p>Request body ({_escape(media_type)}): {describe_type(content['schema'])}</p>")
    parts.append("<table><tr><th>Status</th><th>Description</th><th>Body</th></tr>")
    for status, response in operation["responses"].items():
        bodies = [
            f"{_escape(media_type)}: {describe_type(content['schema'])}"
            for media_type, content in response.get("content", {}).items()
        ]
        parts.append(
            f"<tr><td>{_escape(status)}</td><td>{_escape(response['description'])}</td>"
            f"<td>{'<br>'.join(bodies)}</td></tr>"
        )
    parts.append("</table></section>")
    return "\n".join(parts)


def _schema_html(name: str, schema: dict[str, Any]) -> str:
    parts = [f'<section id="{_anchor(name)}"><h3>{_escape(name)}</h3>']
    if "description" in schema:
        parts.append(f"<p>{_prose(schema['description'])}</p>")
    properties = schema.get("properties")
    if properties is None:
        parts.append(f"<p>{describe_type(schema)}</p></section>")
        return "\n".join(parts)

    required = set(schema.get("required", ()))
    parts.append("<table><tr><th>Property</th><th>Type</th><th>Required</th><th>Constraints</th></tr>")
    for property_name, property_schema in properties.items():
        parts.append(
            f"<tr><td><code>{_escape(property_name)}</code></td><td>{describe_type(property_schema)}</td>"
            f"<td>{'yes' if property_name in required else 'no'}</td><td>{_constraints(property_schema)}</td></tr>"
        )
    parts.append("</table>")
    if schema.get("additionalProperties") is False:
        parts.append("<p>Unknown properties are rejected.</p>")
    parts.append("</section>")
    return "\n".join(parts)


def render_docs_page(document: dict[str, Any]) -> str:
    """Render an OpenAPI 3 document as one HTML page: every operation, then every schema."""
    info = document["info"]
    operations = [
        _operation_html(path, method, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]
    schemas = [_schema_html(name, schema) for name, schema in document["components"]["schemas"].items()]
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{_escape(info['title'])}</title>",
            f"<style>{_STYLE}</style></head><body>",
            f"<h1>{_escape(info['title'])}</h1>",
            f"<p>Version {_escape(info['version'])}. {_escape(info.get('description', ''))} "
            'The machine-readable document is at <a href="/openapi.json">/openapi.json</a>.</p>',
            "<h2>Endpoints</h2>",
            *operations,
            "<h2>Schemas</h2>",
            *schemas,
            "</body></html>",
        ]
    )
