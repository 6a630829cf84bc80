"""Time a seed_demo bulk insertion on the database of DATABASE_URL, as the command runs it.

- `python -m bench.seed_timing N`: `seed_demo --users N`: one transaction around
  habilitations.demo.synthetic_users_add, commit included. Prints {"users": …, "seconds": …}. Run by
  bench/habilitations_bench.py in a subprocess, on a fresh copy of the seeded bench database each time.
- `python -m bench.seed_timing --dossiers N`: `seed_demo --dossiers N`'s synthetic dossiers
  (cdap.generator.synthetic_dossiers_add: generation + COPY, one commit per batch, progress bar on stderr), on a
  database where seed_demo has already run. Prints {"dossiers": …, "rows": …, "seconds": …, "rows_per_s": …}.
  Run by bench/cdap_bench.py.

From the project root, DJANGO_SETTINGS_MODULE and DATABASE_URL set."""

import json
import sys
import time


def users(count: int) -> int:
    from django.db import transaction

    from habilitations.demo import synthetic_users_add

    started = time.perf_counter()
    with transaction.atomic():
        added = synthetic_users_add(count, write=lambda text: None)
    seconds = time.perf_counter() - started
    print(json.dumps({"users": added, "seconds": seconds}))
    return 0 if added == count else 1


def dossiers(count: int) -> int:
    from cdap.generator import synthetic_dossiers_add
    from core.progress import ProgressBar

    stats = {"rows": 0}
    progress = ProgressBar(count, "Dossiers allocataires")
    started = time.perf_counter()
    added = synthetic_dossiers_add(count, progress=progress, stats=stats)
    seconds = time.perf_counter() - started
    progress.close()
    rows = stats["rows"]
    print(json.dumps({"dossiers": added, "rows": rows, "seconds": seconds, "rows_per_s": rows / max(seconds, 1e-9)}))
    return 0


def main() -> int:
    import django

    django.setup()
    if sys.argv[1] == "--dossiers":
        return dossiers(int(sys.argv[2]))
    return users(int(sys.argv[1]))


if __name__ == "__main__":
    sys.exit(main())
