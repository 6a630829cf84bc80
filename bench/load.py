"""Load test (`make load`): a bounded load on loopback against gunicorn with the demo data — zero 5xx, zero
connection errors, zero lost writes.

- Database `mcp_load` (dropped, recreated, migrated, `seed_demo`: the demo world and its documented dossiers) and
  Redis database 13 (flushed), on the servers of DATABASE_URL / REDIS_URL; static files collected into a temporary
  directory. Nothing else is touched.
- One gunicorn (`portal.wsgi:application`, sync workers, `portal.settings.bench`: the production settings and
  middleware, read from the environment as bench/run.py sets it), started with bench/run.py's `Server`.
- `--concurrency` virtual users (threads, bench.harness.Client: one http.client connection each, requests sent as
  if behind the HTTPS proxy). Each logs in once through the real form (GET /connexion/ for the CSRF token, POST),
  then loops over: home page, Consulter Dossier search form, search POST (a write: a Consultation and a journal
  row; one search in `--refused-every` uses a wrong name and is refused: a journal row only), the synthèse through
  the opaque reference of the redirect, one rubric the profile opens, one public page. Several users may share a
  demo account (only partner users without a second factor): their sessions are independent.
- Bounded by BOTH `--requests` (total, logins included) and `--duration` (seconds): whichever comes first.

At the end: responses counted by status; every response must have its expected status (any 5xx, unexpected status
or connection error fails the run); "zero lost writes": the successful searches the clients saw (302 to a
consultation) must be exactly the new `cdap_consultation` rows (same references) and the new journal rows
`cdap.search` / outcome found; the refused searches they saw, exactly the new `cdap.search` / refused rows; the
synthèse and rubric pages they were shown, the new `cdap.rubric` rows; their logins, the new `auth.login` rows
(mcp_load read directly with psycopg, before and after the load).
One JSON line on stdout, also written to bench/results/load-<timestamp>.jsonl. Exit status 1 when a check fails.
"""

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the project's root first

from bench import run as bench_run  # noqa: E402
from bench.harness import DEMO_PASSWORD, RESULTS_DIR, ROOT, Client, csrf_token, same_server  # noqa: E402

LOAD_DB = "mcp_load"
LOAD_REDIS_DB = 13
SETTINGS = "portal.settings.bench"  # the production settings and middleware (+ bench/floor/ for readiness)

# Partner users without a second factor (non-administrators), each with a documented dossier it may find
# (README, "Dossiers de démonstration") and the rubrics its profile opens besides the synthèse.
ACCOUNTS = [
    # (identifiant, nom, numéro allocataire, rubrics)
    ("ACC061TASS", "DUPRÉ-LEFÈVRE", "0610001", ("dossier", "paiements", "droits", "famille", "ressources")),
    ("ENF061QFAM", "DUPRÉ-LEFÈVRE", "0610001", ()),  # T2: the synthèse only
]
WRONG_NAME = "MARTINEZ"  # not the name of 0610001: a refused search (neutral message, journaled)
PUBLIC_PAGES = ("/", "/ma-caf/", "/regles-d-usage/", "/accessibilite/", "/informatique-et-libertes/")
SEARCH = "/consulter-dossier/"
REFERENCE_RE = re.compile(r"^/consulter-dossier/([0-9a-f-]{36})/$")


def log(message: str) -> None:
    print(f"[load] {message}", file=sys.stderr, flush=True)


# --- environment and database ----------------------------------------------------------------------------------


def load_urls() -> tuple[str, str, str]:
    server = os.environ.get("DATABASE_URL", "")
    server = server if server.startswith("postgres") else "postgres://postgres@127.0.0.1:5432/mcp"
    redis_server = os.environ.get("REDIS_URL", "") or "redis://127.0.0.1:6379/15"
    return (
        same_server(server, f"/{LOAD_DB}"),
        same_server(server, "/postgres"),
        same_server(redis_server, f"/{LOAD_REDIS_DB}"),
    )


def load_env(port: int, static_root: str) -> dict[str, str]:
    database_url, _, redis_url = load_urls()
    env = bench_run.bench_env(SETTINGS, [port], static_root)
    env.update({"DATABASE_URL": database_url, "REDIS_URL": redis_url, "CELERY_BROKER_URL": redis_url})
    return env


def recreate_database(admin_url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{LOAD_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{LOAD_DB}"')


def flush_redis(redis_url: str) -> None:
    import redis

    assert urlsplit(redis_url).path == f"/{LOAD_REDIS_DB}", redis_url
    redis.Redis.from_url(redis_url).flushdb()


WRITES_SQL = {
    "consultations": "SELECT count(*) FROM cdap_consultation",
    "journal_found": (
        "SELECT count(*) FROM habilitations_journalentry WHERE event = 'cdap.search' AND data->>'outcome' = 'found'"
    ),
    "journal_refused": (
        "SELECT count(*) FROM habilitations_journalentry WHERE event = 'cdap.search' AND data->>'outcome' = 'refused'"
    ),
    "journal_rubric": (
        "SELECT count(*) FROM habilitations_journalentry WHERE event = 'cdap.rubric' AND data->>'outcome' = 'found'"
    ),
    "journal_login": "SELECT count(*) FROM habilitations_journalentry WHERE event = 'auth.login'",
    "max_consultation_id": "SELECT coalesce(max(id), 0) FROM cdap_consultation",
}


def db_counts(database_url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        return {name: conn.execute(sql).fetchone()[0] for name, sql in WRITES_SQL.items()}


def new_references(database_url: str, after_id: int) -> set[str]:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        rows = conn.execute("SELECT reference FROM cdap_consultation WHERE id > %s", [after_id]).fetchall()
    return {str(row[0]) for row in rows}


# --- the load --------------------------------------------------------------------------------------------------


class Budget:
    """The run's two bounds: a total number of requests and a deadline. Each request takes a ticket first."""

    def __init__(self, requests: int, duration: float):
        self.left = requests
        self.deadline = time.monotonic() + duration
        self.lock = threading.Lock()
        self.timed_out = False

    def take(self) -> bool:
        if time.monotonic() >= self.deadline:
            self.timed_out = True
            return False
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[int]] = defaultdict(list)
        self.statuses: Counter = Counter()
        self.by_kind: dict[str, Counter] = defaultdict(Counter)
        self.unexpected: list[str] = []
        self.errors: list[str] = []
        self.found_references: list[str] = []
        self.searches_found = 0
        self.searches_refused = 0

    def record(self, kind: str, elapsed_ns: int, status: int) -> None:
        with self.lock:
            self.latencies[kind].append(elapsed_ns)
            self.statuses[status] += 1
            self.by_kind[kind][status] += 1


class Stop(Exception):
    """The budget is spent (request count or duration) or the virtual user cannot go on."""


class VirtualUser(threading.Thread):
    def __init__(self, index: int, port: int, budget: Budget, stats: Stats, refused_every: int, seed: int):
        super().__init__(name=f"vu-{index}", daemon=True)
        self.identifiant, self.nom, self.numero, self.rubrics = ACCOUNTS[index % len(ACCOUNTS)]
        self.client = Client(port)
        self.client.conn.timeout = 60
        self.budget, self.stats = budget, stats
        self.refused_every = refused_every
        self.random = random.Random(seed + index)
        self.iteration = 0

    def call(self, kind: str, method: str, path: str, expect: int, fields: dict | None = None, referer=None):
        """One request: (response, body), or Stop. Any other status than `expect`, or a connection error,
        is recorded and stops this iteration (the loop goes on with the next one)."""
        if not self.budget.take():
            raise Stop
        try:
            if fields is None:
                elapsed, resp, data = self.client.request(method, path)
            else:
                start = time.perf_counter_ns()
                _, resp, data = self.client.post(path, fields, referer=referer)
                elapsed = time.perf_counter_ns() - start
        except Exception as exc:  # connection refused/reset, timeout, malformed response
            self.client.conn.close()
            with self.stats.lock:
                self.stats.errors.append(f"{kind} {method} {path}: {type(exc).__name__}: {exc}")
            raise Stop from exc
        self.stats.record(kind, elapsed, resp.status)
        if resp.status != expect:
            with self.stats.lock:
                self.stats.unexpected.append(
                    f"{kind} {method} {path} → {resp.status} (expected {expect}) {resp.getheader('Location') or ''}"
                    f" {data[:200]!r}"
                )
            raise Stop
        return resp, data

    def login(self) -> None:
        _, page = self.call("login_form", "GET", "/connexion/", 200)
        fields = {"username": self.identifiant, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": csrf_token(page)}
        resp, _ = self.call("login", "POST", "/connexion/", 302, fields)
        if not (resp.getheader("Location") or "").endswith("/accueil/"):
            with self.stats.lock:
                self.stats.unexpected.append(f"login {self.identifiant} → {resp.getheader('Location')}")
            raise Stop

    def iterate(self) -> None:
        self.iteration += 1
        self.call("home", "GET", "/accueil/", 200)
        _, page = self.call("search_form", "GET", SEARCH, 200)
        refused = self.refused_every > 0 and self.iteration % self.refused_every == 0
        fields = {"nom": WRONG_NAME if refused else self.nom, "numero": self.numero}
        fields["csrfmiddlewaretoken"] = csrf_token(page)
        if refused:
            _, data = self.call("search_refused", "POST", SEARCH, 200, fields)
            with self.stats.lock:
                self.stats.searches_refused += 1
                if 'name="nom"' not in data.decode(errors="replace"):
                    self.stats.unexpected.append("search_refused: the search page did not come back")
        else:
            resp, _ = self.call("search", "POST", SEARCH, 302, fields)
            match = REFERENCE_RE.match(resp.getheader("Location") or "")
            with self.stats.lock:
                if match is None:
                    self.stats.unexpected.append(f"search → 302 to {resp.getheader('Location')!r}")
                    raise Stop
                self.stats.searches_found += 1
                self.stats.found_references.append(match.group(1))
            reference = match.group(1)
            self.call("synthese", "GET", f"{SEARCH}{reference}/", 200)
            if self.rubrics:
                rubric = self.random.choice(self.rubrics)
                self.call("rubric", "GET", f"{SEARCH}{reference}/{rubric}/", 200)
        self.call("public", "GET", self.random.choice(PUBLIC_PAGES), 200)

    def run(self) -> None:
        try:
            self.login()
        except Stop:
            return
        failures = 0
        while True:
            try:
                self.iterate()
                failures = 0
            except Stop:
                if self.budget.left <= 0 or self.budget.timed_out:
                    return
                failures += 1
                if failures >= 20:
                    return  # already a failed run: do not spin against a broken server or session
            except Exception as exc:  # a bug of the client itself (e.g. no CSRF token in a page)
                with self.stats.lock:
                    self.stats.errors.append(f"{self.name}: {type(exc).__name__}: {exc}")
                return


# --- the run ---------------------------------------------------------------------------------------------------


def percentile_ms(samples: list[int], q: float) -> float:
    ordered = sorted(samples)
    index = max(0, min(len(ordered) - 1, int(round(q * len(ordered) + 0.5)) - 1))
    return round(ordered[index] / 1e6, 2)


def run(args) -> dict:
    database_url, admin_url, redis_url = load_urls()
    port = bench_run.free_port()
    static_root = tempfile.mkdtemp(prefix="mcp-load-static-")
    log_dir = RESULTS_DIR / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    env = load_env(port, static_root)
    bench_run.WORKERS = args.workers  # read by bench.run.Server when it starts gunicorn
    server = None
    try:
        log(f"database {LOAD_DB}: drop and recreate; Redis {redis_url}: flush")
        recreate_database(admin_url)
        flush_redis(redis_url)
        bench_run.manage(env, "migrate", "--noinput", "-v", "0")
        bench_run.manage(env, "collectstatic", "--noinput", "-v", "0")
        bench_run.manage(env, "seed_demo")
        server = bench_run.Server("load", SETTINGS, port, env, log_dir)
        server.wait_ready()
        log(f"gunicorn ({args.workers} sync workers, {SETTINGS}) on :{port}")

        before = db_counts(database_url)
        budget = Budget(args.requests, args.duration)
        stats = Stats()
        users = [VirtualUser(i, port, budget, stats, args.refused_every, args.seed) for i in range(args.concurrency)]
        log(
            f"load: {args.concurrency} virtual users ({', '.join(sorted({u.identifiant for u in users}))}), "
            f"at most {args.requests} requests and {args.duration:.0f} s"
        )
        started = time.perf_counter()
        for user in users:
            user.start()
        for user in users:
            user.join()
        elapsed = time.perf_counter() - started
        if server.proc.poll() is not None:
            stats.errors.append(f"gunicorn died during the run:\n{server.log_tail()}")
        after = db_counts(database_url)
        references = new_references(database_url, before["max_consultation_id"])
        seen = set(stats.found_references)

        requests = sum(stats.statuses.values())
        # Each synthèse or rubric page shown journals a `cdap.rubric` row, each login an `auth.login` row.
        pages_seen = stats.by_kind["synthese"][200] + stats.by_kind["rubric"][200]
        logins_seen = stats.by_kind["login"][302]
        five_xx = sum(n for status, n in stats.statuses.items() if status >= 500)
        writes = {
            "searches_found_seen": stats.searches_found,
            "consultations_new": after["consultations"] - before["consultations"],
            "journal_found_new": after["journal_found"] - before["journal_found"],
            "searches_refused_seen": stats.searches_refused,
            "journal_refused_new": after["journal_refused"] - before["journal_refused"],
            "pages_seen": pages_seen,
            "journal_rubric_new": after["journal_rubric"] - before["journal_rubric"],
            "logins_seen": logins_seen,
            "journal_login_new": after["journal_login"] - before["journal_login"],
            "references_missing": len(seen - references),
            "references_unseen": len(references - seen),
        }
        lost = (
            abs(writes["consultations_new"] - stats.searches_found)
            + abs(writes["journal_found_new"] - stats.searches_found)
            + abs(writes["journal_refused_new"] - stats.searches_refused)
            + abs(writes["journal_rubric_new"] - pages_seen)
            + abs(writes["journal_login_new"] - logins_seen)
            + writes["references_missing"]
            + writes["references_unseen"]
            + (len(stats.found_references) - len(seen))  # the same reference twice
        )
        kinds = {
            kind: {
                "n": len(samples),
                "median_ms": round(statistics.median(samples) / 1e6, 2),
                "p95_ms": percentile_ms(samples, 0.95),
                "statuses": {str(k): v for k, v in sorted(stats.by_kind[kind].items())},
            }
            for kind, samples in stats.latencies.items()
        }
        all_samples = [s for samples in stats.latencies.values() for s in samples]
        result = {
            "name": "load",
            "requests": requests,
            "requests_budget": args.requests,
            "duration_s": round(elapsed, 2),
            "duration_budget_s": args.duration,
            "stopped_by": "duration" if budget.timed_out else "requests",
            "req_per_s": round(requests / elapsed, 1) if elapsed else None,
            "concurrency": args.concurrency,
            "server": f"gunicorn sync x{args.workers}",
            "median_ms": round(statistics.median(all_samples) / 1e6, 2) if all_samples else None,
            "p95_ms": percentile_ms(all_samples, 0.95) if all_samples else None,
            "kinds": kinds,
            "statuses": {str(k): v for k, v in sorted(stats.statuses.items())},
            "status_5xx": five_xx,
            "unexpected_statuses": len(stats.unexpected),
            "connection_errors": len(stats.errors),
            "writes": writes,
            "lost_writes": lost,
        }
        result["ok"] = five_xx == 0 and not stats.unexpected and not stats.errors and lost == 0 and requests > 0
        for line in (stats.unexpected[:10] + stats.errors[:10]) if not result["ok"] else []:
            log(f"FAIL {line}")
        if five_xx:
            log(f"gunicorn log tail:\n{server.log_tail()}")
        return result
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(static_root, ignore_errors=True)
        try:
            flush_redis(redis_url)
        except Exception:
            pass


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # `kill` of the runner stops gunicorn too
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=int(os.environ.get("LOAD_REQUESTS", 2000)))
    parser.add_argument("--duration", type=float, default=float(os.environ.get("LOAD_DURATION", 120)))
    parser.add_argument("--concurrency", type=int, default=int(os.environ.get("LOAD_CONCURRENCY", 8)))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("LOAD_WORKERS", 2)), help="gunicorn")
    parser.add_argument("--refused-every", type=int, default=5, help="one search in N is refused (0: never)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if args.requests < 1 or args.duration <= 0 or args.concurrency < 1 or not 1 <= args.workers <= 8:
        parser.error("--requests, --duration, --concurrency and --workers must be positive (workers ≤ 8)")

    run_id = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    load_before = os.getloadavg()[0]
    result = run(args)
    result |= {
        "run": run_id,
        "commit": bench_run.git_commit(),
        "cpus": os.cpu_count(),
        "loadavg_1m_before": round(load_before, 2),
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"load-{run_id}.jsonl"
    text = json.dumps(result, ensure_ascii=False)
    out.write_text(text + "\n")
    print(text, flush=True)
    log(
        f"{result['requests']} requests in {result['duration_s']} s ({result['req_per_s']} req/s), "
        f"statuses {result['statuses']}, 5xx {result['status_5xx']}, errors {result['connection_errors']}, "
        f"unexpected {result['unexpected_statuses']}, lost writes {result['lost_writes']} — "
        f"{'OK' if result['ok'] else 'FAILED'}; written to {out.relative_to(ROOT)}"
    )
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
