"""Consulter Dossier benchmarks (`make bench`, after bench/run.py), in one process, on a scratch database.

- dossier search (cdap.selectors.dossier_search) at 10 000 then 50 000 dossiers of the same Caf: the lookup is by
  (Caf, numéro) and the name by index, so the cost must not grow (goal ≤ 1.3×);
- the synthèse page of a complete demo dossier through the whole middleware stack (Django's test client, logged in
  as the demo T1 user) against the floor view through the same stack and client;
- the attestation PDF against a minimal WeasyPrint page rendered in the same process (goal ≤ 3×).
1 000 000 dossiers (the issue's figure) take ~18 minutes to generate on two cores: `--big N` sets the second size.
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

from bench.harness import figure, same_server  # noqa: E402

DB = "mcp_bench_cdap"


def log(message: str) -> None:
    print(f"[bench-cdap] {message}", file=sys.stderr, flush=True)


def environment() -> dict[str, str]:
    server = os.environ.get("DATABASE_URL", "") or "postgres://postgres@127.0.0.1:5432/mcp"
    redis = os.environ.get("REDIS_URL", "") or "redis://127.0.0.1:6379/15"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": same_server(server, f"/{DB}"),
        "REDIS_URL": same_server(redis, "/14"),
        "CELERY_TASK_ALWAYS_EAGER": "true",
    }


def recreate(env) -> None:
    admin = same_server(env["DATABASE_URL"], "/postgres")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DB}"')


def manage(env, *args) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def timed(call, n: int) -> list[int]:
    for _ in range(max(5, n // 10)):
        call()
    samples = []
    for _ in range(n):
        start = time.perf_counter_ns()
        call()
        samples.append(time.perf_counter_ns() - start)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--big", type=int, default=50_000)
    parser.add_argument("-n", type=int, default=300)
    args = parser.parse_args()
    env = environment()
    recreate(env)
    log(f"migrate + seed_demo --dossiers {args.small}")
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo", "--dossiers", str(args.small))
    os.environ.update(env)

    import django

    django.setup()
    from django.db import connection
    from django.test import Client, override_settings

    from cdap.models import Consultation, Dossier
    from cdap.selectors import SearchCriteria, attestation_data, dossier_search
    from habilitations.models import User
    from portal.pdf import render_pdf

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
    search_small = timed(lambda: dossier_search(criteria), args.n)
    small_count = Dossier.objects.count()

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
    floor_ms = sorted(floor)[len(floor) // 2] / 1e6
    results.append(figure("cdap_floor_in_process", floor, floor_name="cdap_floor_in_process", floor_ms=floor_ms))
    results.append(figure("cdap_synthese", synthese, floor_name="cdap_floor_in_process", floor_ms=floor_ms))

    # Attestation PDF against a minimal page, same process.
    from weasyprint import HTML

    data = attestation_data(consultation)
    minimal = timed(lambda: HTML(string="<p>Attestation</p>").write_pdf(), 20)
    attestation = timed(lambda: render_pdf("pdf/attestation.html", data), 20)
    minimal_ms = sorted(minimal)[len(minimal) // 2] / 1e6
    results.append(figure("weasyprint_minimal", minimal, floor_name="weasyprint_minimal", floor_ms=minimal_ms))
    results.append(
        figure("attestation_pdf", attestation, floor_name="weasyprint_minimal", floor_ms=minimal_ms, goal=3.0)
    )

    log(f"seed_demo --dossiers {args.big}")
    manage(env, "seed_demo", "--dossiers", str(args.big))
    analyze()
    big_count = Dossier.objects.count()
    search_big = timed(lambda: dossier_search(criteria), args.n)
    small_ms = sorted(search_small)[len(search_small) // 2] / 1e6
    results.append(
        figure(f"search_{small_count}", search_small, floor_name=f"search_{small_count}", floor_ms=small_ms)
    )
    results.append(
        figure(f"search_{big_count}", search_big, floor_name=f"search_{small_count}", floor_ms=small_ms, goal=1.3)
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
