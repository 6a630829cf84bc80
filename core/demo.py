"""The demo data's registry: `seed_demo` asks each installed app for its part, so a new service adds its demo data
without touching the portal.

An app takes part by defining, in a `demo` module of its package (`<app>/demo.py`), a `DemoPart` subclass named
`DEMO_PART`. `seed_demo` creates one of each per run (a part may keep what its `seed` built for its `report`) and
calls them in ascending `order`:
1. `add_arguments(parser)`: the part's options (`--users`, `--dossiers`...);
2. `check(options)`: refuse bad options (CommandError, in French) before anything is written;
3. `seed(command, options)`: the documented demo world, all parts in one transaction, idempotent; it must send no
   e-mail;
4. `bulk(command, options)`: synthetic volume, committed batch by batch after that transaction (inside it, then
   rolled back, under --dry-run);
5. `report(command, options)`: what the run prints last (the accounts, the password).
"""

from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule

MODULE = "demo"


class DemoPart:
    order = 100  # the habilitations world (Caf, organisms, accounts) comes first: the services' data hangs on it

    def add_arguments(self, parser) -> None:
        pass

    def check(self, options: dict) -> None:
        pass

    def seed(self, command, options: dict) -> None:
        pass

    def bulk(self, command, options: dict) -> None:
        pass

    def report(self, command, options: dict) -> None:
        pass


def demo_parts() -> list[DemoPart]:
    """One new part per installed app that has a `demo` module with a DEMO_PART, in their order."""
    parts = []
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, MODULE):
            part = getattr(import_module(f"{config.name}.{MODULE}"), "DEMO_PART", None)
            if part is not None:
                parts.append(part())
    return sorted(parts, key=lambda part: part.order)
