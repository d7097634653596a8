"""The documentation page, loaded in headless Chromium."""

import shutil
import subprocess

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("/usr/bin/chromium")

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium); scripts/test.sh tries to install it"
)


def dump_dom(url: str, profile_dir) -> str:
    """Return the DOM of ``url`` after Chromium has loaded it, with no network access beyond loopback."""
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile_dir}",
        "--dump-dom",
        url,
    ]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=90)
    assert completed.returncode == 0, completed.stderr[-2000:]
    return completed.stdout


def test_docs_served_as_html(client):
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<script" not in response.text
    assert "http://" not in response.text.replace('href="/openapi.json"', "")
    assert "https://" not in response.text


@needs_chromium
def test_docs_shows_endpoint_in_chromium(server_url, tmp_path):
    dom = dump_dom(f"{server_url}/docs", tmp_path / "profile")
    assert "Pension Calculation Engine API" in dom
    assert "/calculation-requests" in dom
    assert "Process a calculation request" in dom
    assert 'id="schema-CalculationRequest"' in dom
    assert "tenant_id" in dom
    for status in ("200", "400", "413", "415", "500"):
        assert f"<td>{status}</td>" in dom, status
