"""Reliability (issue 19, "slow clients"): 20 clients that open connections and never finish their request cannot
stop the portal, through the reverse proxy configuration that the project ships (deploy/nginx/mcp.conf.template).

gunicorn runs the production settings with ONE sync worker; nginx (Debian's package, installed by `make test`) runs
the shipped template, rendered as the official image renders it, with a self-signed certificate. Without the proxy,
one such client is enough to hold the only worker: the control case shows that this test would notice.
"""

import http.client
import re
import shutil
import socket
import ssl
import subprocess
import time

import pytest

from tests.portal.test_database_restart import ROOT, _free_port, prod_server  # noqa: F401 (fixture)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TEMPLATE = ROOT / "deploy" / "nginx" / "mcp.conf.template"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SLOW_CLIENTS = 20


def render_template(values: dict[str, str]) -> str:
    """As the nginx image's envsubst: only the variables given are replaced (nginx's own $host stays)."""
    return re.sub(r"\$\{(MCP_[A-Z_]+)\}", lambda m: values[m.group(1)], TEMPLATE.read_text())


@pytest.fixture
def proxy(prod_server, tmp_path):  # noqa: F811
    """nginx in front of the production gunicorn; yields (https port, gunicorn port)."""
    gunicorn_port, _ = prod_server
    https_port, http_port = _free_port(), _free_port()
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    (tmp_path / "mcp.conf").write_text(
        render_template(
            {
                "MCP_UPSTREAM": f"127.0.0.1:{gunicorn_port}",
                "MCP_SERVER_NAME": "127.0.0.1",
                "MCP_HTTP_PORT": str(http_port),
                "MCP_HTTPS_PORT": str(https_port),
                "MCP_TLS_CERT": str(cert),
                "MCP_TLS_KEY": str(key),
            }
        )
    )
    # The image's own nginx.conf, reduced to what a test directory needs.
    (tmp_path / "nginx.conf").write_text(
        f"""
        daemon off; worker_processes 1; user root; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log warn;
        events {{ worker_connections 512; }}
        http {{
            access_log off;
            client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy;
            fastcgi_temp_path {tmp_path}/fastcgi; uwsgi_temp_path {tmp_path}/uwsgi; scgi_temp_path {tmp_path}/scgi;
            include {tmp_path}/mcp.conf;
        }}
        """
    )
    process = subprocess.Popen(
        [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            assert process.poll() is None, (tmp_path / "error.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "nginx did not listen"
                time.sleep(0.05)
        yield https_port, gunicorn_port
    finally:
        process.terminate()
        process.wait(timeout=10)


def tls_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def open_slow_clients(port: int, *, tls: bool) -> list[socket.socket]:
    """Connections that never finish: unfinished headers, a body that never comes, and silence."""
    sockets = []
    for index in range(SLOW_CLIENTS):
        raw = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock = tls_context().wrap_socket(raw, server_hostname="127.0.0.1") if tls else raw
        kind = index % 3
        if kind == 0:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        elif kind == 1:
            sock.sendall(
                b"POST /connexion/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nusername="
            )
        sockets.append(sock)
    return sockets


def timed_get(connection: http.client.HTTPConnection, path: str) -> tuple[float, int, bytes]:
    start = time.monotonic()
    connection.request("GET", path, headers={"Host": "127.0.0.1", "X-Forwarded-Proto": "https"})
    response = connection.getresponse()
    body = response.read()
    return time.monotonic() - start, response.status, body


def test_twenty_slow_clients_do_not_stop_the_portal_behind_the_shipped_proxy(proxy):
    https_port, _ = proxy
    slow = open_slow_clients(https_port, tls=True)
    try:
        for path in ("/", "/connexion/", "/ma-caf/", "/regles-d-usage/", "/"):
            connection = http.client.HTTPSConnection("127.0.0.1", https_port, timeout=5, context=tls_context())
            elapsed, status, body = timed_get(connection, path)
            connection.close()
            assert status == 200, body[:300]
            assert elapsed < 2, f"{path} took {elapsed:.2f} s with {SLOW_CLIENTS} slow clients open"
        assert "Mon Compte Partenaire" in body.decode()
    finally:
        for sock in slow:
            sock.close()


def test_without_the_proxy_one_slow_client_holds_the_only_worker(proxy):
    """The control case: straight to gunicorn, the normal request waits behind the slow client."""
    _, gunicorn_port = proxy
    slow = open_slow_clients(gunicorn_port, tls=False)[:1]
    try:
        connection = http.client.HTTPConnection("127.0.0.1", gunicorn_port, timeout=2)
        with pytest.raises(TimeoutError):
            timed_get(connection, "/")
        connection.close()
    finally:
        for sock in slow:
            sock.close()


def test_the_proxy_sets_the_forwarded_headers_itself():
    """A client cannot forge its address or claim HTTPS: the headers are replaced, never appended."""
    text = TEMPLATE.read_text()
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in text
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in text
    assert "$proxy_add_x_forwarded_for" not in text
    assert re.search(r"client_max_body_size 6m;", text)


def test_docker_compose_exposes_only_the_proxy():
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "./deploy/nginx/mcp.conf.template:/etc/nginx/templates/mcp.conf.template" in compose
    web = compose.split("  web:\n", 1)[1].split("\n  worker:", 1)[0]
    assert "ports:" not in web and "expose:" in web
