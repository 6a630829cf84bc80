"""Issue 13.3: the roles' quotas hold under concurrent writes. Twenty threads (each its own database connection),
released together, give the FDA role on one activity to twenty declarers: exactly two succeed, the eighteen others get
the quota's French message naming the activity; then the same without the service's lock — raw inserts into the same
place — where PostgreSQL's exclusion constraint lets one through."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection

from afas import services
from afas.models import RoleAssignment
from tests.afas.factories import TODAY, activity, afas_groups, declarer_of

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a race needs PostgreSQL's concurrent connections"),
]
CONTENDERS = 20


def contend(calls):
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait(timeout=30)
            call()
            return "ok"
        except ValidationError as error:
            return error
        except IntegrityError as error:
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.mark.parametrize("round_", range(3))
def test_twenty_fda_at_once_two_win(round_):
    group, _ = afas_groups()
    peri = activity(group.convention.organism, "Péri Assoc")
    users = [declarer_of(group) for _ in range(CONTENDERS)]
    results = contend([lambda u=u: services.role_assign(user=u, role="FDA", activity=peri) for u in users])
    assert results.count("ok") == 2, results
    for result in results:
        if result != "ok":
            assert isinstance(result, ValidationError), result
            assert result.message_dict["activity"][0].startswith(
                "L'activité « Péri Assoc » a déjà 2 fournisseurs de données d'activité sur cette période : "
            )
    assert RoleAssignment.objects.filter(activity=peri, role="FDA").count() == 2
    assert set(RoleAssignment.objects.filter(activity=peri).values_list("slot", flat=True)) == {1, 2}


def test_without_the_lock_the_constraint_lets_one_approbateur_through():
    group, _ = afas_groups()
    peri = activity(group.convention.organism)
    users = [declarer_of(group) for _ in range(CONTENDERS)]
    results = contend(
        [
            lambda u=u: RoleAssignment.objects.create(
                user=u, role="APPROBATEUR", activity=peri, date_ouverture=TODAY()
            )
            for u in users
        ]
    )
    assert results.count("ok") == 1, results
    assert all(isinstance(r, IntegrityError) for r in results if r != "ok")
    assert RoleAssignment.objects.filter(activity=peri).count() == 1
