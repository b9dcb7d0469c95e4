"""A live portal in a thread and Debian's Chromium driven by Playwright."""

from pathlib import Path

import pytest

from tests.helpers import ROOT, LiveServer, chromium_path, live_app, need

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    # Pages waiting for the connector ask every second (30 in production).
    app = live_app(Path(tmp_path_factory.mktemp("live")), CONNECTOR_SYNC_POLL_SECONDS=1)
    with LiveServer(app) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    need(executable is not None, "Chromium is not installed (Debian package 'chromium')")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need(False, "Playwright for Python is not installed (./run.sh test installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture(scope="session")
def axe_source() -> str:
    need(AXE.exists(), "axe-core is not installed (npm ci installs it into node_modules)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def axe(axe_source):
    """Run axe-core on a page and return its violations (id, impact, targets)."""

    def run(page) -> list[tuple[str, str, list[str]]]:
        page.evaluate(axe_source)  # evaluate() is not blocked by a Content-Security-Policy
        return page.evaluate(
            """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))
                .violations.map(v => [v.id, v.impact, v.nodes.map(n => n.target.join(' '))])""",
            AXE_TAGS,
        )

    return run
