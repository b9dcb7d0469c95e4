"""Load: 60 s at 64 connections on the article and the self-service page, no error, no 5xx."""

import os
import re
import shutil
import subprocess

import pytest

from tests.helpers import DemoMerchant, Gunicorn, need, prepare_demo_database

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
    prepare_demo_database(env)
    server = Gunicorn(env, tmp_path / "errors.log")
    server.wait_ready()
    yield server.url
    server.stop()


def test_article_and_self_service_under_load(portal):
    need(shutil.which("wrk") is not None, "wrk is not installed (Debian package 'wrk')")
    merchant = [option for header in DemoMerchant(portal).headers() for option in ("-H", header)]
    runs = [
        subprocess.Popen(
            ["wrk", "-t1", "-c32", f"-d{DURATION}", "--timeout", "10s", url, *headers],
            stdout=subprocess.PIPE,
            text=True,
        )
        for url, headers in (
            (f"{portal}/fr/faq/2763-generer-ou-renouveler-le-token-amazon", []),
            (f"{portal}/fr/account/amazon", merchant),
        )
    ]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    for output in outputs:
        requests_done = int(re.search(r"(\d+) requests in", output).group(1))
        assert requests_done > 100, output
        assert "Non-2xx" not in output and "Socket errors" not in output, output
