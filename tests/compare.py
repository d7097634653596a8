"""Comparing responses with expected values: numbers within 0.01, everything else exactly."""

import math
import re
import uuid

TOLERANCE = 0.01
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


def differences(actual, expected, path: str = "$") -> list[str]:
    """Return the paths where ``actual`` differs from ``expected``; numbers match within 0.01."""
    if isinstance(expected, bool) or expected is None or isinstance(expected, str):
        return [] if actual == expected and type(actual) is type(expected) else [f"{path}: {actual!r} != {expected!r}"]
    if isinstance(expected, (int, float)):
        if isinstance(actual, bool) or not isinstance(actual, (int, float)):
            return [f"{path}: {actual!r} is not a number (expected {expected!r})"]
        if not math.isfinite(actual) or abs(actual - expected) > TOLERANCE:
            return [f"{path}: {actual!r} != {expected!r}"]
        return []
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{path}: {actual!r} != {expected!r}"]
        found = []
        for index, (left, right) in enumerate(zip(actual, expected)):
            found += differences(left, right, f"{path}[{index}]")
        return found
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or set(actual) != set(expected):
            return [f"{path}: keys {sorted(actual) if isinstance(actual, dict) else actual!r} != {sorted(expected)}"]
        found = []
        for key in expected:
            found += differences(actual[key], expected[key], f"{path}.{key}")
        return found
    raise TypeError(f"unexpected value {expected!r} at {path}")


def metadata_problems(metadata: dict, tenant_id: str) -> list[str]:
    """Return what is wrong with a response's calculation_metadata formats."""
    problems = []
    try:
        if uuid.UUID(metadata["calculation_id"]).version != 4:
            problems.append("calculation_id is not a UUID v4")
    except ValueError:
        problems.append(f"calculation_id {metadata['calculation_id']!r} is not a UUID")
    if metadata["tenant_id"] != tenant_id:
        problems.append("tenant_id is not echoed")
    for key in ("calculation_started_at", "calculation_completed_at"):
        if not _TIMESTAMP.match(metadata[key]):
            problems.append(f"{key} {metadata[key]!r} is not an RFC 3339 UTC timestamp")
    if type(metadata["calculation_duration_ms"]) is not int or metadata["calculation_duration_ms"] < 0:
        problems.append("calculation_duration_ms is not a non-negative integer")
    if metadata["calculation_completed_at"] < metadata["calculation_started_at"]:
        problems.append("calculation_completed_at is before calculation_started_at")
    return problems
