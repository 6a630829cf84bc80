"""Time `seed_demo --users N`'s bulk insertion on the database of DATABASE_URL, as the command runs it: one
transaction around habilitations.demo.synthetic_users_add, commit included. Prints {"users": …, "seconds": …}.

Run by bench/habilitations_bench.py in a subprocess, on a fresh copy of the seeded bench database each time:
python -m bench.seed_timing N (from the project root, DJANGO_SETTINGS_MODULE and DATABASE_URL set)."""

import json
import sys
import time


def main() -> int:
    count = int(sys.argv[1])
    import django

    django.setup()
    from django.db import transaction

    from habilitations.demo import synthetic_users_add

    started = time.perf_counter()
    with transaction.atomic():
        added = synthetic_users_add(count, write=lambda text: None)
    seconds = time.perf_counter() - started
    print(json.dumps({"users": added, "seconds": seconds}))
    return 0 if added == count else 1


if __name__ == "__main__":
    sys.exit(main())
