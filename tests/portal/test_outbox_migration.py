"""Issue 11: the outbox moved from portal to core (core 0001, portal 0004) in the migrations' state only: a database
migrated before the move keeps its e-mail rows, pending ones still due, and the model's content type."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from core.mail.delivery import email_deliver
from core.mail.models import OutgoingEmail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_THE_MOVE = [
    ("portal", "0003_outbox_queues"),
    ("core", None),
    ("contenttypes", "0002_remove_content_type_name"),
]


def migrate(targets):
    """Migrate to `targets`; the models as they were then."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state([target for target in targets if target[1]]).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def test_migrating_a_database_of_before_the_move_keeps_the_outbox_rows(mailoutbox):
    user = UserFactory(email="garde@x.example")
    content_type = ContentType.objects.get(app_label="core", model="outgoingemail")
    try:
        old = migrate(BEFORE_THE_MOVE)
        assert "outgoingemail" not in old.all_models["core"]
        old_content_type = old.get_model("contenttypes", "ContentType").objects.get(pk=content_type.pk)
        assert (old_content_type.app_label, old_content_type.model) == ("portal", "outgoingemail")
        PortalEmail = old.get_model("portal", "OutgoingEmail")
        pending = PortalEmail.objects.create(
            key="identifiant:avant", kind="identifiant", to=user.email, user_id=user.pk, bulk=True, attempts=2
        )
        sent = PortalEmail.objects.create(
            key="identifiant:envoye", kind="identifiant", to="x@x.example", sent_at=timezone.now()
        )
    finally:
        migrate(latest())

    assert sorted(OutgoingEmail.objects.values_list("pk", "key", "user_id", "bulk", "attempts")) == [
        (pending.pk, "identifiant:avant", user.pk, True, 2),
        (sent.pk, "identifiant:envoye", None, False, 0),
    ]
    assert ContentType.objects.get(pk=content_type.pk).app_label == "core"
    assert [email.pk for email in OutgoingEmail.objects.due()] == [pending.pk]
    import habilitations.accounts  # noqa: F401 — registers the "identifiant" kind

    assert email_deliver(pending.pk) and [message.to for message in mailoutbox] == [[user.email]]
    assert OutgoingEmail.objects.create(key="apres", kind="identifiant", to="y@x.example").pk > sent.pk
