"""What every figure of the bench uses: where it runs (databases, paths), the HTTP client, the interleaved
measurement loop and the JSON line of a figure. bench/run.py orchestrates; bench/habilitations_bench.py adds the
habilitations figures."""

import base64
import http.client
import math
import os
import random
import re
import statistics
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
VENV_BIN = Path(sys.executable).parent


def same_server(url: str, path: str) -> str:
    """The server of `url` (the Makefile's DATABASE_URL / REDIS_URL), with another database."""
    return urlunsplit(urlsplit(url)._replace(path=path, query=""))


# The bench never touches the databases of the tests or the demo: its own PostgreSQL database and Redis database.
_DATABASE_URL = os.environ.get("DATABASE_URL", "")
_SERVER_URL = _DATABASE_URL if _DATABASE_URL.startswith("postgres") else "postgres://postgres@127.0.0.1:5432/mcp"
BENCH_DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", same_server(_SERVER_URL, "/mcp_bench"))
# The database that is dropped and recreated is the one BENCH_DATABASE_URL names (mcp_bench by default).
BENCH_DB = urlsplit(BENCH_DATABASE_URL).path.lstrip("/") or "mcp_bench"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", same_server(BENCH_DATABASE_URL, "/postgres"))
_REDIS_URL = os.environ.get("REDIS_URL", "") or "redis://127.0.0.1:6379/15"
BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", same_server(_REDIS_URL, "/14"))
DEMO_USER = "ACC061USER"
DEMO_PASSWORD = "Mcp-Demo#2026"  # portal/management/commands/seed_demo.py
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
BLOCK_WARMUP = 5  # unmeasured requests at the start of each block (see interleaved())


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# --- HTTP client ---------------------------------------------------------------------------------------------


def csrf_token(html: bytes) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        raise RuntimeError("no csrfmiddlewaretoken in the page")
    return match.group(1).decode()


class Client:
    """One http.client connection, reused whenever the server keeps it open (gunicorn's sync workers close it
    after each response, so every request of every figure pays the same TCP connect on loopback)."""

    def __init__(self, port: int):
        self.port = port
        self.host = f"127.0.0.1:{port}"
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.connects = 0
        self.requests = 0

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        """Returns (elapsed ns, response, body); the time covers sending the request and reading the whole body."""
        all_headers = {"Host": self.host, "X-Forwarded-Proto": "https", "User-Agent": "mcp-bench"}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        all_headers.update(headers or {})
        if self.conn.sock is None:
            self.connects += 1
        self.requests += 1
        start = time.perf_counter_ns()
        self.conn.request(method, path, body=body, headers=all_headers)
        resp = self.conn.getresponse()
        data = resp.read()
        elapsed = time.perf_counter_ns() - start
        for header in resp.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value == "" or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return elapsed, resp, data

    def get(self, path: str, expect: int = 200):
        elapsed, resp, data = self.request("GET", path)
        if resp.status != expect:
            raise RuntimeError(f"GET {path} → {resp.status}, expected {expect}: {data[:300]!r}")
        return elapsed, data

    def post(self, path: str, fields: dict, *, referer: str | None = None):
        """A form POST with the headers a browser sends (the production CSRF checks the origin)."""
        origin = f"https://{self.host}"
        headers = {"Referer": f"{origin}{referer or path}", "Origin": origin}
        return self.request("POST", path, body=urlencode(fields), headers=headers)

    def login_form(self) -> tuple[int, str]:
        elapsed, data = self.get("/connexion/")
        return elapsed, csrf_token(data)

    def login_post(self, token: str, identifiant: str = DEMO_USER) -> int:
        fields = {"username": identifiant, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token}
        elapsed, resp, data = self.post("/connexion/", fields)
        if resp.status != 302 or not (resp.getheader("Location") or "").endswith("/accueil/"):
            raise RuntimeError(f"login POST → {resp.status} {resp.getheader('Location')}: {data[:500]!r}")
        return elapsed

    def login_with_otp_enrolment(self, identifiant: str) -> None:
        """Log in an account that must use the second factor and has none yet: read the key from the enrolment
        page, as a person types it into their application, and post the application's current code."""
        from django_otp.oath import totp

        self.login_post(self.login_form()[1], identifiant)
        path = "/double-authentification/enrolement/"
        _, page = self.get(path)
        match = re.search(rb'id="cle-otp">([^<]+)<', page)
        if not match:
            raise RuntimeError(f"{identifiant}: no TOTP key on the enrolment page: {page[:300]!r}")
        key = base64.b32decode(match.group(1).decode().replace(" ", ""))  # shown in groups of four characters
        code = f"{totp(key):06d}"  # django-otp's defaults: 30-second steps from 0, 6 digits
        _, resp, data = self.post(path, {"token": code, "csrfmiddlewaretoken": csrf_token(page)})
        if resp.status != 200 or "La double authentification est activée.".encode() not in data:
            raise RuntimeError(f"{identifiant}: TOTP enrolment → {resp.status}: {data[:500]!r}")


# --- measuring -----------------------------------------------------------------------------------------------


def interleaved(measures: dict, *, rounds: int, block: int, warmup: int = BLOCK_WARMUP, seed: int = 2026) -> dict:
    """Samples (ns) of each measure, interleaved by blocks. A server left idle while another works answers its
    next requests slower (cold caches, sleeping workers), so alternating single requests between servers would
    penalise whichever is hit less often. In each round, in a shuffled order, each measure runs `warmup`
    unmeasured then `block` measured times: noise from other work on the machine hits every figure alike."""
    samples: dict[str, list[int]] = {name: [] for name in measures}
    order = list(measures)
    shuffler = random.Random(seed)
    for _ in range(rounds):
        shuffler.shuffle(order)
        for name in order:
            for _ in range(warmup):
                measures[name]()
            for _ in range(block):
                samples[name].append(measures[name]())
    return samples


# --- statistics and output -----------------------------------------------------------------------------------


def summary(samples_ns: list[int]) -> tuple[float, float]:
    ordered = sorted(samples_ns)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return statistics.median(ordered) / 1e6, p95 / 1e6


def median_ms(samples_ns: list[int]) -> float:
    return statistics.median(samples_ns) / 1e6


def figure(name, samples_ns, *, floor_name, floor_ms, goal=None, **extra) -> dict:
    median, p95 = summary(samples_ns)
    ratio = median / floor_ms if floor_ms else None
    return {
        "name": name,
        "median_ms": round(median, 3),
        "p95_ms": round(p95, 3),
        "n": len(samples_ns),
        "floor": floor_name,
        "floor_ms": round(floor_ms, 3),
        "ratio": round(ratio, 3) if ratio is not None else None,
        "goal": goal,
        "ok": (ratio <= goal) if goal is not None else None,
        **extra,
    }
