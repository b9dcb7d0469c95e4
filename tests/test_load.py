"""Load: 60 s at 64 connections on the article and the self-service page, no error, no 5xx."""

import os
import re
import shutil
import subprocess
import sys

import pytest
import requests

from tests.helpers import ROOT, Gunicorn, need

pytestmark = pytest.mark.slow
DURATION = os.environ.get("PORTAL_LOAD_DURATION", "60s")


@pytest.fixture
def portal(tmp_path):
    env = {
        **os.environ,
        "PORTAL_ENV": "development",
        "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'load.db'}",
        "PORTAL_SECRET_KEY": "load",
    }
    for command in (["db", "upgrade"], ["demo"]):
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", "portal", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    server = Gunicorn(env, tmp_path / "errors.log")
    server.wait_ready()
    yield server.url
    server.stop()


def logged_in_cookie(base: str) -> str:
    browser = requests.Session()
    page = browser.get(f"{base}/fr/login", timeout=10).text
    token = re.search(r'name="csrf_token"[^>]*? value="([^"]+)"', page).group(1)
    form = {"csrf_token": token, "email": "demo@example.com", "password": "demo-merchant"}
    browser.post(f"{base}/fr/login", data=form, timeout=10)
    return f"session={browser.cookies['session']}"


def test_article_and_self_service_under_load(portal):
    need(shutil.which("wrk") is not None, "wrk is not installed (Debian package 'wrk')")
    cookie = logged_in_cookie(portal)
    runs = [
        subprocess.Popen(
            ["wrk", "-t1", "-c32", f"-d{DURATION}", "--timeout", "10s", url, *headers],
            stdout=subprocess.PIPE,
            text=True,
        )
        for url, headers in (
            (f"{portal}/fr/faq/2763-generer-ou-renouveler-le-token-amazon", []),
            (f"{portal}/fr/account/amazon", ["-H", f"Cookie: {cookie}"]),
        )
    ]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    for output in outputs:
        requests_done = int(re.search(r"(\d+) requests in", output).group(1))
        assert requests_done > 100, output
        assert "Non-2xx" not in output and "Socket errors" not in output, output
