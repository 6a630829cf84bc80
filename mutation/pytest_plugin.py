"""Loaded into the test runs of `make mutate` (`-p mutation.pytest_plugin`, [tool.mutmut] of pyproject.toml).

mutmut tests each mutant in a new pytest session: the test database is kept between them (--reuse-db: migrating it
for every mutant would cost more than its tests), under its own name so that a `make test` beside it does not drop
it. A transactional test leaves that database truncated: the reference data is put back when a session starts.
The rubric masks' cache is emptied too: filled by the run before the fork, it would answer for a mutant.
"""

import os

import pytest

os.environ.setdefault("TOX_PARALLEL_ENV", "mutmut")  # pytest-django's suffix: test_<database>_mutmut


@pytest.fixture(scope="session", autouse=True)
def _reference_data_in_the_kept_database(django_db_setup, django_db_blocker):
    from habilitations.access import rubrics
    from habilitations.reference import load_all

    with django_db_blocker.unblock():
        load_all()
    rubrics.clear_cache()
