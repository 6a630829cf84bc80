"""Consulter Dossier benchmarks (`make bench`, after bench/run.py), in one process.

- `seed_demo --dossiers` throughput (generation + COPY, rows per second) of each database below (bench/seed_timing.py);
- dossier search (cdap.selectors.dossier_search) at 10 000 dossiers of the same Caf (scratch database
  `mcp_bench_cdap`) against `--big` dossiers (default 50 000, database `--big-db`): the lookup is by (Caf, numéro)
  and the name by index, so the cost must not grow (goal ≤ 1.3×). Both databases are open in this process (two
  connections) and measured interleaved by blocks, after VACUUM ANALYZE; a T1 search without control and a T4
  search (instructeur control);
- the synthèse page of a complete demo dossier through the whole middleware stack (Django's test client, logged in
  as the demo T1 user) against the floor view through the same stack and client (goal ≤ 3×), and the rubrics
  Dossier, Paiements, Droits, Famille, Ressources, Logement, Données complémentaires (goal ≤ 2× each);
- the attestation PDF against a minimal WeasyPrint page rendered in the same process (goal ≤ 2×).

1 000 000 dossiers (the issue's figure) take ~30 minutes to generate on two busy cores: generate them once and
reuse the database, e.g. `--big 1000000 --big-db mcp_bench_cdap_1m --reuse` (or BENCH_CDAP_BIG, BENCH_CDAP_BIG_DB,
BENCH_CDAP_REUSE=1 in the environment of `make bench`). With `--reuse` an existing big database is kept, migrated,
re-seeded (`seed_demo --dossiers 0`: the demo world) and topped up to `--big`; its generation figures, written to
bench/results/cdap-seed-<database>.json when it was generated, are reported again with `"reused": true`.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import figure, interleaved, median_ms, same_server, summary  # noqa: E402

DB = "mcp_bench_cdap"
# The rubric pages measured after the synthèse (those the demo T1 user opens; issue 12.11: each ≤ 2× the floor).
RUBRICS = ["dossier", "paiements", "droits", "famille", "ressources", "logement", "donnees_complementaires"]
BIG_DB = "mcp_bench_cdap_big"
RESULTS = ROOT / "bench" / "results"


def log(message: str) -> None:
    print(f"[bench-cdap] {message}", file=sys.stderr, flush=True)


def environment(db: str = DB) -> dict[str, str]:
    server = os.environ.get("DATABASE_URL", "") or "postgres://postgres@127.0.0.1:5432/mcp"
    redis = os.environ.get("REDIS_URL", "") or "redis://127.0.0.1:6379/15"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": same_server(server, f"/{db}"),
        "REDIS_URL": same_server(redis, "/14"),
        "CELERY_TASK_ALWAYS_EAGER": "true",
    }


def admin_url(env) -> str:
    return same_server(env["DATABASE_URL"], "/postgres")


def exists(env, db: str) -> bool:
    with psycopg.connect(admin_url(env), autocommit=True) as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db]).fetchone() is not None


def recreate(env, db: str = DB) -> None:
    assert db.startswith(DB), f"the bench only drops its own databases ({DB}*), not {db}"
    with psycopg.connect(admin_url(env), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{db}"')


def manage(env, *args) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def synthetic_count(env) -> int:
    """Synthetic dossiers present (the documented demo dossiers' numbers start with 0, cdap.generator.numero_for)."""
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as connection:
        return connection.execute("SELECT count(*) FROM cdap_dossier WHERE numero >= '1'").fetchone()[0]


def prepare(db: str, count: int, *, reuse: bool) -> dict | None:
    """A migrated, seeded database holding the first `count` synthetic dossiers, VACUUM ANALYZEd. Returns the
    generation figures ({"dossiers", "rows", "seconds", "rows_per_s"}) when dossiers were generated now."""
    env = environment(db)
    kept = reuse and exists(env, db)
    if not kept:
        recreate(env, db)
    log(f"{db}: {'reused, ' if kept else ''}migrate + seed_demo --dossiers 0")
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo", "--dossiers", "0")
    present = synthetic_count(env)
    stats = None
    if present > count:
        log(f"{db}: {present} synthetic dossiers already, more than {count}: measured as they are")
    elif present < count:
        log(f"{db}: seed_demo --dossiers {count} ({present} present)")
        command = [sys.executable, "-m", "bench.seed_timing", "--dossiers", str(count)]
        output = subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE, text=True).stdout
        stats = json.loads(output.strip().splitlines()[-1])
        log(
            f"{db}: {stats['dossiers']} dossiers, {stats['rows']} rows in {stats['seconds']:.1f} s "
            f"({stats['rows_per_s']:.0f} rows/s)"
        )
        stats.update(database=db, complete=present == 0, at=time.strftime("%Y-%m-%dT%H:%M:%S"))
        if present == 0:
            RESULTS.mkdir(parents=True, exist_ok=True)
            (RESULTS / f"cdap-seed-{db}.json").write_text(json.dumps(stats) + "\n")
    started = time.perf_counter()
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    log(f"{db}: VACUUM ANALYZE in {time.perf_counter() - started:.1f} s")
    return stats


def timed(call, n: int) -> list[int]:
    for _ in range(max(5, n // 10)):
        call()
    samples = []
    for _ in range(n):
        start = time.perf_counter_ns()
        call()
        samples.append(time.perf_counter_ns() - start)
    return samples


def seed_figure(name: str, stats: dict, floor: dict, **extra) -> dict:
    ns = int(stats["seconds"] * 1e9)
    keep = {k: stats[k] for k in ("dossiers", "rows") if k in stats}
    return figure(
        name,
        [ns],
        floor_name=floor["name"],
        floor_ms=floor["seconds"] * 1e3,
        rows_per_s=round(stats["rows_per_s"]),
        **keep,
        **extra,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--db", default=DB, help=f"scratch database of the --small dossiers (default {DB})")
    parser.add_argument("--big", type=int, default=int(os.environ.get("BENCH_CDAP_BIG") or 50_000))
    parser.add_argument(
        "--big-db",
        default=os.environ.get("BENCH_CDAP_BIG_DB") or BIG_DB,
        help=f"database of the --big dossiers (name starting with {DB}; default {BIG_DB})",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        default=os.environ.get("BENCH_CDAP_REUSE", "") not in ("", "0"),
        help="keep the --big-db database when it exists (topped up to --big) instead of generating it again",
    )
    parser.add_argument("-n", type=int, default=300, help="samples of each figure (searches: 2 × n)")
    args = parser.parse_args()
    if not (args.db.startswith(DB) and args.big_db.startswith(DB)) or args.big_db == args.db:
        parser.error(f"--db, --big-db: two names starting with {DB}")
    small_seed = prepare(args.db, args.small, reuse=False)
    big_seed = prepare(args.big_db, args.big, reuse=args.reuse)
    env = environment(args.db)
    os.environ.update(env)

    import django

    django.setup()
    from django.db import connection
    from django.test import Client, override_settings

    from cdap.models import Consultation, Dossier
    from cdap.selectors import SearchCriteria, attestation_data, dossier_search
    from core.pdf import render_pdf
    from habilitations.models import User

    def analyze():
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    analyze()
    user = User.objects.get(identifiant="ACC061TASS")
    dossier = Dossier.objects.select_related("caf").get(caf__code="061", numero="0610001")
    responsable = dossier.persons.get(role="RESPONSABLE")
    criteria = SearchCriteria(
        caf_id=dossier.caf_id,
        nom=responsable.nom,
        numero=dossier.numero,
        profile_code="T1-ASS",
        controle="",
        organism_id=user.organism_id,
    )
    assert dossier_search(criteria)[0] == dossier
    results = []

    # Pages through the whole middleware stack, in the same client and process as the floor.
    consultation = Consultation.objects.create(
        user=user, dossier=dossier, profile_code="T1-ASS", organism_id=user.organism_id
    )
    with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["*"]):
        client = Client()
        response = client.post("/connexion/", {"username": user.identifiant, "password": "Mcp-Demo#2026"})
        assert response.status_code == 302, response.status_code
        synthese_url = f"/consulter-dossier/{consultation.reference}/"
        assert client.get(synthese_url).status_code == 200
        floor = timed(lambda: client.get("/bench/floor/"), args.n)
        synthese = timed(lambda: client.get(synthese_url), args.n)
        rubric_samples = {}
        for rubric in RUBRICS:
            url = f"{synthese_url}{rubric}/"
            assert client.get(url).status_code == 200, rubric
            rubric_samples[rubric] = timed(lambda url=url: client.get(url), args.n)
    floor_ms = sorted(floor)[len(floor) // 2] / 1e6
    results.append(figure("cdap_floor_in_process", floor, floor_name="cdap_floor_in_process", floor_ms=floor_ms))
    results.append(figure("cdap_synthese", synthese, floor_name="cdap_floor_in_process", floor_ms=floor_ms, goal=3.0))
    for rubric, samples in rubric_samples.items():
        results.append(
            figure(f"cdap_{rubric}", samples, floor_name="cdap_floor_in_process", floor_ms=floor_ms, goal=2.0)
        )

    # Attestation PDF against a minimal page (WeasyPrint's default call), same process: 40 samples of each,
    # interleaved by blocks of 5 so that both see the same machine load; median and p95 of both.
    from django.utils import timezone
    from weasyprint import HTML

    data = {**attestation_data(consultation), "today": timezone.localdate()}  # as cdap.views passes it

    def sample(call):
        def measure() -> int:
            start = time.perf_counter_ns()
            call()
            return time.perf_counter_ns() - start

        return measure

    pdf_samples = interleaved(
        {
            "minimal": sample(lambda: HTML(string="<p>Attestation</p>").write_pdf()),
            "attestation": sample(lambda: render_pdf("pdf/attestation.html", data)),
        },
        rounds=8,
        block=5,
    )
    minimal, attestation = pdf_samples["minimal"], pdf_samples["attestation"]
    minimal_ms = median_ms(minimal)
    results.append(figure("weasyprint_minimal", minimal, floor_name="weasyprint_minimal", floor_ms=minimal_ms))
    results.append(
        figure("attestation_pdf", attestation, floor_name="weasyprint_minimal", floor_ms=minimal_ms, goal=2.0)
    )
    for name, samples in (("minimal page", minimal), ("attestation", attestation)):
        median, p95 = summary(samples)
        log(f"{name}: median {median:.1f} ms, p95 {p95:.1f} ms ({len(samples)} samples)")

    # Searches: the same criteria on both databases, one connection each, interleaved by blocks.
    from django.db import connections
    from django.db.utils import load_backend

    from cdap.generator import DEMO_INSTRUCTEUR, DEMO_RSA_T4
    from habilitations.models import Profile

    small = connections["default"]
    big_settings = {**small.settings_dict, "NAME": args.big_db}
    big = load_backend(big_settings["ENGINE"]).DatabaseWrapper(big_settings, alias="cdap_big")  # its own pool

    def on(wrapper):
        connections["default"] = wrapper

    def searches() -> tuple:
        """The criteria on the current database (its own ids): a T1 search of 0610001 by its responsable's name,
        and a T4 search of 0610002 with the CCAS de Nice's numéro d'instructeur (one more query)."""
        t1_user = User.objects.get(identifiant="ACC061TASS")
        t4_user = User.objects.get(identifiant="ACC061NSTR")
        found = []
        for numero, user, profile, extra in (
            (dossier.numero, t1_user, "T1-ASS", {}),
            (DEMO_RSA_T4, t4_user, "T4", {"numero_instructeur": DEMO_INSTRUCTEUR}),
        ):
            target = Dossier.objects.get(caf__code="061", numero=numero)
            search = SearchCriteria(
                caf_id=target.caf_id,
                nom=target.persons.get(role="RESPONSABLE").nom,
                numero=numero,
                profile_code=profile,
                controle=Profile.objects.get(code=profile).controle_supplementaire,
                organism_id=user.organism_id,
                **extra,
            )
            assert dossier_search(search)[0] == target, (profile, numero)
            found.append(search)
        return tuple(found)

    criteria_on, counts = {}, {}
    for label, wrapper in (("small", small), ("big", big)):
        on(wrapper)
        criteria_on[label] = searches()
        counts[label] = Dossier.objects.count()

    def measure(label, kind):
        wrapper, search = {"small": small, "big": big}[label], criteria_on[label][kind]

        def call():
            on(wrapper)
            start = time.perf_counter_ns()
            dossier_search(search)
            return time.perf_counter_ns() - start

        return call

    measures = {f"t{4 if kind else 1}_{label}": measure(label, kind) for label in ("small", "big") for kind in (0, 1)}
    block = 50
    log(f"searches: {counts['small']} vs {counts['big']} dossiers ({args.big_db}), {2 * args.n} samples each")
    samples = interleaved(measures, rounds=max(1, 2 * args.n // block), block=block, warmup=10)
    on(small)
    big.close()
    for kind, profile in (("t1", "T1-ASS"), ("t4", "T4")):
        prefix = "search" if kind == "t1" else "search_t4"
        floor_name = f"{prefix}_{counts['small']}"
        floor_ms = sorted(samples[f"{kind}_small"])[len(samples[f"{kind}_small"]) // 2] / 1e6
        results.append(
            figure(
                floor_name,
                samples[f"{kind}_small"],
                floor_name=floor_name,
                floor_ms=floor_ms,
                profile=profile,
                database=args.db,
            )
        )
        results.append(
            figure(
                f"{prefix}_{counts['big']}",
                samples[f"{kind}_big"],
                floor_name=floor_name,
                floor_ms=floor_ms,
                goal=1.3,
                profile=profile,
                database=args.big_db,
            )
        )

    # seed_demo --dossiers throughput (generation + COPY, one commit per batch of 2 000 dossiers).
    small_name = f"seed_dossiers_{small_seed['dossiers']}"
    small_line = seed_figure(small_name, small_seed, {"name": small_name, "seconds": small_seed["seconds"]})
    results.append(small_line)
    reused = False
    if big_seed is None:
        stored = RESULTS / f"cdap-seed-{args.big_db}.json"
        big_seed = json.loads(stored.read_text()) if stored.exists() else None
        reused = True
    if big_seed is not None:
        results.append(
            seed_figure(
                f"seed_dossiers_{big_seed['dossiers']}",
                big_seed,
                {"name": small_name, "seconds": small_seed["seconds"]},
                linear_ratio=round(big_seed["dossiers"] / small_seed["dossiers"], 3),
                rows_per_s_vs_small=round(big_seed["rows_per_s"] / small_seed["rows_per_s"], 3),
                reused=reused,
                measured_at=big_seed.get("at"),
                complete=big_seed.get("complete", True),
                database=args.big_db,
            )
        )
    out = ROOT / "bench" / "results" / time.strftime("cdap-%Y%m%dT%H%M%S.jsonl")
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w") as handle:
        for result in results:
            line = json.dumps(result, ensure_ascii=False)
            print(line)
            handle.write(line + "\n")
            if result.get("goal") is not None:
                verdict = "OK" if result["ok"] else "MISSED"
                log(f"GOAL {result['name']}: {result['ratio']}× (≤ {result['goal']}×) — {verdict}")
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
