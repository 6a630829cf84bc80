"""Benchmarks of the portal (`make bench`): JSON lines on stdout and in bench/results/<timestamp>.jsonl.

Two gunicorn servers (sync workers) run side by side on a dedicated database (mcp_bench, recreated each run):
- the floor server: portal.settings.bench_floor (production settings, no middleware at all);
- the production server: portal.settings.bench (production settings and middleware).
Requests are sent as if through the HTTPS proxy (X-Forwarded-Proto: https), so the production security settings
(SSL redirect, HSTS, secure cookies, CSRF origin checks) apply unchanged.

Fast figures, then the pages of the habilitations figures, are measured interleaved by blocks (harness.interleaved)
so that noise from other processes on the machine hits every figure alike; login iterations are interleaved with
the in-process Argon2 verification they are compared with. The habilitations figures (users list against the admin
changelist, access context, seed throughput) are in bench/habilitations_bench.py. See bench/README.md for what
each figure means.

Exit status: non-zero only when the bench itself fails; a missed goal is reported, not fatal.
"""

import argparse
import datetime as dt
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the project's root first

from bench import habilitations_bench  # noqa: E402
from bench.harness import (  # noqa: E402
    BENCH_DATABASE_URL,
    BENCH_DB,
    BENCH_REDIS_URL,
    DEMO_PASSWORD,
    DEMO_USER,
    PG_ADMIN_URL,
    RESULTS_DIR,
    ROOT,
    VENV_BIN,
    WORKERS,
    Client,
    figure,
    interleaved,
    log,
)

# --- environment, database, servers ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_env(settings_module: str, ports: list[int], static_root: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": settings_module,
            "DJANGO_SECRET_KEY": "bench-" + "x" * 60,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_CSRF_TRUSTED_ORIGINS": ",".join(f"https://127.0.0.1:{p}" for p in ports),
            "DJANGO_DEBUG": "False",
            "DATABASE_URL": BENCH_DATABASE_URL,
            "REDIS_URL": BENCH_REDIS_URL,
            "CELERY_BROKER_URL": BENCH_REDIS_URL,
            "STATIC_ROOT": static_root,
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    # The production settings as production reads them: nothing from a developer's shell may leak in.
    for key in ("DATABASE_POOL", "DJANGO_SECURE_SSL_REDIRECT", "CELERY_TASK_ALWAYS_EAGER", "OTP_REQUIRED_FOR_ALL"):
        env.pop(key, None)
    return env


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")


def vacuum_analyze() -> None:
    """The planner's statistics of the bulk-loaded tables, as autovacuum leaves them within a minute in production
    (without them, the planner takes the 10 000-user organism for a handful of rows)."""
    import psycopg

    with psycopg.connect(BENCH_DATABASE_URL, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(BENCH_REDIS_URL).flushdb()


def manage(env: dict[str, str], *args: str) -> None:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if proc.returncode:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise RuntimeError(f"manage.py {' '.join(args)} failed ({proc.returncode})")
    log(f"manage.py {' '.join(args)}: {time.perf_counter() - started:.1f} s")


class Server:
    def __init__(self, name: str, settings_module: str, port: int, env: dict[str, str], log_dir: Path):
        self.name, self.port = name, port
        self.log_path = log_dir / f"gunicorn-{name}.log"
        self.proc = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "portal.wsgi:application",
                "--chdir",
                str(ROOT),
                "--worker-class",
                "sync",
                "--workers",
                str(WORKERS),
                "--bind",
                f"127.0.0.1:{port}",
                "--error-logfile",
                str(self.log_path),
                "--log-level",
                "warning",
            ],
            env=env | {"DJANGO_SETTINGS_MODULE": settings_module},
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn {self.name} exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/bench/floor/", headers={"X-Forwarded-Proto": "https"})
                resp = conn.getresponse()
                resp.read()
                conn.close()
                if resp.status == 200:
                    return
                raise RuntimeError(f"gunicorn {self.name}: /bench/floor/ answered {resp.status}\n{self.log_tail()}")
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn {self.name} did not answer within {timeout} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)  # the master and its workers: their own session
            self.proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=5)


# --- database connection counter -----------------------------------------------------------------------------


class SessionCounter:
    """pg_stat_database.sessions of mcp_bench (PostgreSQL ≥ 14), read from a connection to another database so
    that the observer itself never counts. Statistics are flushed lazily: sleep, then drop the snapshot."""

    def __init__(self):
        import psycopg

        self.conn = psycopg.connect(PG_ADMIN_URL, autocommit=True)

    def read(self, settle: float = 1.5) -> int:
        time.sleep(settle)
        self.conn.execute("SELECT pg_stat_clear_snapshot()")
        row = self.conn.execute("SELECT sessions FROM pg_stat_database WHERE datname = %s", [BENCH_DB]).fetchone()
        return int(row[0])

    def backends(self) -> int:
        row = self.conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [BENCH_DB]).fetchone()
        return int(row[0])

    def close(self):
        self.conn.close()


# --- the run -------------------------------------------------------------------------------------------------


def run(args) -> list[dict]:
    ports = [free_port(), free_port()]
    static_root = tempfile.mkdtemp(prefix="mcp-bench-static-")
    log_dir = RESULTS_DIR / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    env = bench_env("portal.settings.bench", ports, static_root)
    servers: list[Server] = []
    counter = None
    try:
        log(f"database {BENCH_DB}: drop and recreate; Redis {BENCH_REDIS_URL}: flush")
        recreate_database()
        flush_redis()
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        manage(env, "seed_demo")
        seed_results = habilitations_bench.seed_figures(env)  # on copies of the database as seed_demo left it
        manage(env, "seed_demo", "--users", str(habilitations_bench.SYNTHETIC_USERS))
        vacuum_analyze()

        # The login's floor: one bare verification of the stored hash, with the production hasher.
        # Django is set up here for its hashers only; the hash is read without Django's connection pool.
        os.environ.update(env)
        import django
        import psycopg

        django.setup()
        from django.contrib.auth.hashers import Argon2PasswordHasher, get_hasher, identify_hasher

        with psycopg.connect(BENCH_DATABASE_URL) as conn:
            sql = "SELECT password FROM habilitations_user WHERE identifiant = %s"
            encoded = conn.execute(sql, [DEMO_USER]).fetchone()[0]
        hasher = Argon2PasswordHasher()
        if identify_hasher(encoded).algorithm != hasher.algorithm or get_hasher().algorithm != hasher.algorithm:
            raise RuntimeError(f"the stored hash is not Argon2 (the production default): {encoded[:20]}…")
        if hasher.must_update(encoded):
            raise RuntimeError("the stored hash does not use the production Argon2 parameters")

        servers.append(Server("floor", "portal.settings.bench_floor", ports[0], env, log_dir))
        servers.append(Server("prod", "portal.settings.bench", ports[1], env, log_dir))
        for server in servers:
            server.wait_ready()
        floor_port, prod_port = ports
        log(f"gunicorn ({WORKERS} sync workers each): floor on :{floor_port}, production middleware on :{prod_port}")

        floor_client = Client(floor_port)
        anon_client = Client(prod_port)
        auth_client = Client(prod_port)
        auth_client.login_post(auth_client.login_form()[1])
        users_list = habilitations_bench.UsersList(prod_port)  # two more logins, with the second factor
        clients = [floor_client, anon_client, auth_client, users_list.administrator, users_list.agent]
        pages = users_list.measures()

        fast = {
            "floor": lambda: floor_client.get("/bench/floor/")[0],
            "middleware_anonymous": lambda: anon_client.get("/bench/floor/")[0],
            "middleware_authenticated": lambda: auth_client.get("/bench/floor/")[0],
            "home": lambda: auth_client.get("/accueil/")[0],
        }

        def login_iteration() -> tuple[int, int]:
            client = Client(prod_port)  # a new visitor each time: no cookie
            form_ns, token = client.login_form()
            post_ns = client.login_post(token)
            login_iteration.requests += client.requests
            login_iteration.connects += client.connects
            return form_ns, post_ns

        login_iteration.requests = login_iteration.connects = 0

        def argon2_verify() -> int:
            start = time.perf_counter_ns()
            if not hasher.verify(DEMO_PASSWORD, encoded):
                raise RuntimeError("Argon2 verification failed")
            return time.perf_counter_ns() - start

        # Warm-up: every worker of both servers loads its code, templates and pool.
        log(f"warm-up: {args.warmup} rounds, {max(4, args.warmup // 20)} logins")
        for _ in range(args.warmup):
            for measure in fast.values():
                measure()
        for _ in range(max(4, args.warmup // 20)):
            login_iteration()
            argon2_verify()
        for _ in range(max(2, args.warmup // 20)):
            for measure in pages.values():
                measure()

        counter = SessionCounter()
        backends_before = counter.backends()
        sessions_before = counter.read()
        requests_before = sum(c.requests for c in clients) + login_iteration.requests

        # Interleaved by blocks (see harness.interleaved): noise from other work hits every figure alike.
        rounds = max(1, args.n // args.block)
        log(f"measuring: {rounds} rounds of {args.block} requests per figure ({', '.join(fast)}), order shuffled")
        samples = interleaved(fast, rounds=rounds, block=args.block)
        rounds = max(1, args.n_pages // args.page_block)
        log(f"measuring: {rounds} rounds of {args.page_block} requests per page ({', '.join(pages)}), order shuffled")
        samples |= interleaved(pages, rounds=rounds, block=args.page_block, warmup=2)

        log(f"measuring: {args.n_login} logins (GET form + POST, only the POST timed) and Argon2 verifications")
        samples["login_form"], samples["login"], samples["argon2_verify"] = [], [], []
        for _ in range(args.n_login):
            form_ns, post_ns = login_iteration()
            samples["login_form"].append(form_ns)
            samples["login"].append(post_ns)
            samples["argon2_verify"].append(argon2_verify())

        requests = sum(c.requests for c in clients) + login_iteration.requests - requests_before
        sessions_after = counter.read()
        backends_after = counter.backends()
        connects = sum(c.connects for c in clients) + login_iteration.connects
        http_requests = sum(c.requests for c in clients) + login_iteration.requests

        floor_ms = statistics.median(samples["floor"]) / 1e6
        argon2_ms = statistics.median(samples["argon2_verify"]) / 1e6
        transport = "new TCP connection per request" if connects >= http_requests else "keep-alive"
        common = {"server": f"gunicorn sync x{WORKERS}", "transport": transport}
        results = [
            figure("floor", samples["floor"], floor_name="floor", floor_ms=floor_ms, middleware="none", **common),
            figure(
                "middleware_anonymous",
                samples["middleware_anonymous"],
                floor_name="floor",
                floor_ms=floor_ms,
                goal=2.0,
                middleware="production",
                **common,
            ),
            figure(
                "middleware_authenticated",
                samples["middleware_authenticated"],
                floor_name="floor",
                floor_ms=floor_ms,
                goal=2.0,
                middleware="production",
                **common,
            ),
            figure("home", samples["home"], floor_name="floor", floor_ms=floor_ms, middleware="production", **common),
            figure(
                "login_form",
                samples["login_form"],
                floor_name="floor",
                floor_ms=floor_ms,
                middleware="production",
                **common,
            ),
            figure(
                "argon2_verify",
                samples["argon2_verify"],
                floor_name="argon2_verify",
                floor_ms=argon2_ms,
                params=encoded.split("$")[3] if encoded.count("$") >= 4 else None,
                where="in-process",
            ),
            figure(
                "login",
                samples["login"],
                floor_name="argon2_verify",
                floor_ms=argon2_ms,
                goal=1.2,
                middleware="production",
                **common,
            ),
        ]
        new_connections = sessions_after - sessions_before
        per_request = new_connections / requests
        results.append(
            {
                "name": "db_new_connections_per_request",
                "median_ms": None,
                "p95_ms": None,
                "n": requests,
                "floor": None,
                "floor_ms": None,
                "ratio": round(per_request, 4),
                "goal": 0,
                "ok": new_connections == 0,
                "new_connections": new_connections,
                "backends_before": backends_before,
                "backends_after": backends_after,
            }
        )
        for server in servers:
            if server.proc.poll() is not None:
                raise RuntimeError(f"gunicorn {server.name} died during the run:\n{server.log_tail()}")

        # In-process, once every HTTP figure and the connection count are done (the ORM uses its own pool here).
        log("counting the SQL queries of each page, in-process")
        page_queries = habilitations_bench.PageQueries()
        queries = page_queries.count(users_list)
        results += users_list.figures(samples, floor_ms, queries, common)

        # The spec's deep-OFFSET goal is for a 20 000-user list: grow the organism, measure its first and last pages.
        manage(env, "seed_demo", "--users", str(habilitations_bench.GROWN_USERS))
        vacuum_analyze()
        users_list.load()
        pages = users_list.measures("users_list_first", "users_list_last")
        rounds = max(1, args.n_pages // args.page_block)
        log(f"measuring: {rounds} rounds of {args.page_block} requests per page, {users_list.users} users")
        grown = interleaved(pages, rounds=rounds, block=args.page_block, warmup=2)
        samples |= {f"{name}_{habilitations_bench.GROWN_USERS}": values for name, values in grown.items()}
        queries = page_queries.count(users_list, "users_list_first", "users_list_last")
        results += users_list.grown_figures(samples, floor_ms, queries, common)
        results += habilitations_bench.access_context_figures(rounds=args.ac_rounds, block=args.ac_block)
        return results + seed_results
    finally:
        if counter is not None:
            counter.close()
        for server in servers:
            server.stop()
        shutil.rmtree(static_root, ignore_errors=True)


def git_commit() -> str | None:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


GOAL_TEXT = {
    "middleware_anonymous": "production middleware, anonymous request ≤ {goal}× floor",
    "middleware_authenticated": "production middleware, logged-in request ≤ {goal}× floor",
    "login": "login POST ≤ {goal}× one bare Argon2 verification",
    "db_new_connections_per_request": "new database connections per request in steady state = {goal}",
    "users_list_first": "users list (10 000 users), first page ≤ {goal}× Django admin's changelist of the same users",
    "users_list_last": "users list (10 000 users), last page ≤ {goal}× its first page",
    "users_list_last_20000": "users list (20 000 users), last page ≤ {goal}× its first page",
    "access_context_50_groups": "access context, user in 50 groups: 2 queries and ≤ {goal}× a user in 1 group",
    "seed_users_10000": "seed_demo --users 10 000 ≤ {goal}× the time of 5 000 (linear)",
}


def main() -> int:
    # `kill` of the runner stops the servers too (the finally blocks run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "-n", type=int, default=int(os.environ.get("BENCH_N", 1000)), help="measured requests per fast figure"
    )
    parser.add_argument("--n-login", type=int, default=int(os.environ.get("BENCH_N_LOGIN", 40)))
    parser.add_argument("--block", type=int, default=50, help="consecutive measured requests per figure and round")
    parser.add_argument("--warmup", type=int, default=100, help="rounds of unmeasured requests before measuring")
    parser.add_argument(
        "--n-pages",
        type=int,
        default=int(os.environ.get("BENCH_N_PAGES", 200)),
        help="measured requests per page of the users list and of the admin changelist",
    )
    parser.add_argument("--page-block", type=int, default=20, help="consecutive measured requests per page and round")
    parser.add_argument("--ac-rounds", type=int, default=20, help="rounds of access_context_for calls")
    parser.add_argument("--ac-block", type=int, default=100, help="consecutive measured calls per user and round")
    args = parser.parse_args()

    started = time.perf_counter()
    load_before = os.getloadavg()[0]  # other work on the machine skews every figure: keep it with the results
    run_id = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    results = run(args)
    meta = {"run": run_id, "commit": git_commit(), "cpus": os.cpu_count(), "loadavg_1m_before": round(load_before, 2)}
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"{run_id}.jsonl"
    with out.open("w") as f:
        for line in results:
            text = json.dumps(line | meta, ensure_ascii=False)
            print(text, flush=True)
            f.write(text + "\n")
    for line in results:
        if line["goal"] is None:
            continue
        value = f"{line['ratio']}×" if line["median_ms"] is not None else f"{line['new_connections']} in {line['n']}"
        verdict = "OK" if line["ok"] else "MISSED"
        log(f"GOAL {GOAL_TEXT[line['name']].format(goal=line['goal'])}: {value} — {verdict}")
    log(f"written to {out.relative_to(ROOT)} in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
