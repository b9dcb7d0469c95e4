"""Behind the README's nginx: a client's Host or X-Forwarded-Host header never reaches the links
of a page, nor the pages nginx caches for everyone, and nginx logs no OAuth code or state."""

import datetime
import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.conftest import close
from tests.helpers import ROOT, Gunicorn, database_url, free_port, make_app, need

HOST = "help.example.com"
EVIL = "evil.example"
ARTICLE = "/fr/faq/2763-generer-ou-renouveler-le-token-amazon"
SECRET = "s3cr3t-ST4TE"
# 127.0.0.1 for the health checks that gunicorn's start waits for, as a load balancer's would.
TRUSTED = f'["{HOST}", "127.0.0.1"]'


# -- The portal alone ----------------------------------------------------------------------------


def test_the_portal_ignores_a_forwarded_host_unless_told_to_trust_it(build_app):
    forged = {"X-Forwarded-Host": EVIL, "X-Forwarded-Proto": "https"}
    app = build_app(PROXY_FIX=1)
    html = app.test_client().get(ARTICLE, headers=forged).get_data(as_text=True)
    assert EVIL not in html
    assert 'rel="canonical" href="https://localhost/fr/faq/2763-' in html  # the proto is trusted
    trusting = build_app(PROXY_FIX=1, PROXY_FIX_HOST=1, PAGE_CACHE_SECONDS=0)
    html = trusting.test_client().get(ARTICLE, headers=forged).get_data(as_text=True)
    assert f'rel="canonical" href="https://{EVIL}/fr/faq/2763-' in html


# -- nginx with the README's configuration, in front of gunicorn ----------------------------------


def readme_nginx() -> str:
    """The one ```nginx block of the README's Deployment section."""
    blocks = re.findall(r"```nginx\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)
    assert len(blocks) == 1, "the README should hold exactly one nginx example"
    return blocks[0]


def replace(text: str, old: str, new: str) -> str:
    assert old in text, f"the README's nginx example no longer has {old!r}"
    return text.replace(old, new)


def self_signed_certificate(folder: Path) -> None:
    """fullchain.pem and privkey.pem for HOST, as Let's Encrypt would leave them."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True)
    (folder / "fullchain.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "privkey.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def nginx_conf(work: Path, upstream_port: int, port: int) -> Path:
    """The README's block with this machine's ports and folders, in a minimal main config."""
    block = readme_nginx()
    block = replace(
        block, "proxy_pass http://127.0.0.1:8000;", f"proxy_pass http://127.0.0.1:{upstream_port};"
    )
    block = replace(block, "listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;")
    block = replace(block, "/var/cache/nginx/portal", str(work / "cache"))
    block = replace(block, "/var/log/nginx/", f"{work / 'logs'}/")
    block = replace(block, f"/etc/letsencrypt/live/{HOST}/", f"{work / 'tls'}/")
    self_signed_certificate(work / "tls")
    for folder in ("cache", "logs", "tmp"):
        (work / folder).mkdir()
    temp = work / "tmp"
    # As root, nginx's workers would otherwise run as "nobody" and not reach the test's folder.
    user = "user root;" if os.geteuid() == 0 else ""
    conf = work / "nginx.conf"
    conf.write_text(f"""
{user}
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/logs/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log {work}/logs/default-access.log;
    client_body_temp_path {temp}/body; proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi; uwsgi_temp_path {temp}/uwsgi; scgi_temp_path {temp}/scgi;
{block}
}}
""")
    return conf


class ToHost(http.client.HTTPSConnection):
    """HTTPS to nginx on loopback as a browser would reach HOST: its SNI, its certificate."""

    def connect(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=HOST)


class Nginx:
    def __init__(self, work: Path, upstream_port: int) -> None:
        self.work = work
        self.port = free_port()
        conf = nginx_conf(work, upstream_port, self.port)
        self.process = subprocess.Popen(
            ["nginx", "-c", str(conf), "-p", f"{work}/", "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.tls = ssl.create_default_context(cafile=str(work / "tls" / "fullchain.pem"))
        self.wait_ready()

    def wait_ready(self) -> None:
        deadline = time.time() + 15
        while time.time() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"nginx did not start: {self.process.stderr.read().decode()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), 1).close()
                return
            except OSError:
                time.sleep(0.1)
        pytest.fail("nginx did not start listening")

    def get(self, path: str, **headers: str) -> tuple[int, str, dict]:
        """One request on a new connection; headers default to a browser's Host."""
        connection = ToHost(HOST, self.port, timeout=15, context=self.tls)
        try:
            connection.request("GET", path, headers={"Host": HOST, **headers})
            response = connection.getresponse()
            body = response.read().decode("utf-8", "replace")
            return response.status, body, dict(response.getheaders())
        finally:
            connection.close()

    def logs(self, *expected: str) -> str:
        """The access and error logs, once they show every expected text (nginx writes a
        request's line after its answer has gone, so a fast client can look too early)."""
        deadline = time.monotonic() + 5
        while True:
            text = "".join(path.read_text() for path in sorted((self.work / "logs").glob("*.log")))
            if all(part in text for part in expected) or time.monotonic() > deadline:
                return text
            time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)
        self.process.stderr.close()


@pytest.fixture
def behind_nginx(tmp_path):
    """Start gunicorn with the given PORTAL_* settings and the README's nginx in front of it."""
    need(shutil.which("nginx") is not None, "nginx is not installed (apt-get install nginx)")
    running = []

    def start(**settings: str) -> Nginx:
        work = tmp_path / f"run{len(running)}"
        work.mkdir()
        close(make_app(work))  # the tables
        env = {"PORTAL_DATABASE_URL": database_url(work), "PORTAL_SECRET_KEY": "proxy-test",
               "PORTAL_PROXY_FIX": "1", **settings}  # fmt: skip
        portal = Gunicorn(env, work / "gunicorn.log", workers=1)
        running.append(portal)
        portal.wait_ready()
        proxy = Nginx(work, portal.port)
        running.append(proxy)
        return proxy

    yield start
    for server in reversed(running):
        server.stop()


def test_forged_hosts_never_reach_the_pages_nginx_serves(behind_nginx):
    """The production set-up: trusted hosts, one proxy; the attacks come first, on a cold cache."""
    proxy = behind_nginx(PORTAL_TRUSTED_HOSTS=TRUSTED)
    answers = [
        proxy.get(ARTICLE, **{"X-Forwarded-Host": EVIL}),
        proxy.get(ARTICLE, Host=EVIL),
        proxy.get("/sitemap.xml", **{"X-Forwarded-Host": EVIL}),
        proxy.get(ARTICLE),
        proxy.get("/sitemap.xml"),
    ]
    for status, body, headers in answers:
        assert EVIL not in body and EVIL not in str(headers), (status, body[:300])
    status, html, _ = answers[3]
    assert status == 200 and f'rel="canonical" href="https://{HOST}/fr/faq/2763-' in html
    assert answers[0][0] == 200  # the forwarded header was dropped, not refused
    assert answers[1][0] == 400  # a host outside PORTAL_TRUSTED_HOSTS


def test_nginx_drops_a_clients_forwarded_host_before_the_portal_sees_it(behind_nginx):
    """Even a portal told to trust X-Forwarded-Host (and without trusted hosts) stays clean."""
    proxy = behind_nginx(PORTAL_PROXY_FIX_HOST="1")
    forged = proxy.get(ARTICLE, **{"X-Forwarded-Host": EVIL})
    clean = proxy.get(ARTICLE)
    for status, body, _ in (forged, clean):
        assert status == 200 and EVIL not in body
        assert f'rel="canonical" href="https://{HOST}/fr/faq/2763-' in body
    # A forged Host has a cache entry of its own: the real host's readers never get it.
    proxy.get("/fr/", Host=EVIL)
    status, home, _ = proxy.get("/fr/")
    assert status == 200 and EVIL not in home


def test_nginx_logs_no_authorization_code_or_state(behind_nginx):
    proxy = behind_nginx(PORTAL_TRUSTED_HOSTS=TRUSTED)
    callback = (
        f"/amazon/callback?spapi_oauth_code=C0DE-{SECRET}&state={SECRET}&selling_partner_id=A1"
    )
    status, _, headers = proxy.get(callback)
    assert status == 302 and "/login" in headers["Location"]  # not logged in: the code rides along
    login_page = headers["Location"].removeprefix(f"https://{HOST}")
    proxy.get(login_page)
    proxy.get(
        f"/amazon/login?amazon_callback_uri=https://x.test/&amazon_state={SECRET}&version=beta"
    )
    login_path = login_page.split("?")[0]
    logs = proxy.logs("/amazon/callback", "/amazon/login", f"{login_path} ")
    assert "/amazon/callback" in logs and "/amazon/login" in logs and f"{login_path} " in logs
    assert SECRET not in logs
