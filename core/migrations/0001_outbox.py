# The outbox moves from portal to core with its rows: the table portal's migrations 0001-0003 created
# (portal_outgoingemail) is kept as it is, only the migrations' state changes hands (portal 0004 drops the model
# from portal's state). The content type follows, with the permissions attached to it.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def content_type_to(app_label, other):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        if not ContentType.objects.filter(app_label=app_label, model="outgoingemail").exists():
            ContentType.objects.filter(app_label=other, model="outgoingemail").update(app_label=app_label)

    return move


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('portal', '0003_outbox_queues'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='OutgoingEmail',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(max_length=100, unique=True, verbose_name="clé d'idempotence")),
                        ('kind', models.CharField(max_length=50, verbose_name='type')),
                        ('to', models.EmailField(max_length=320, verbose_name='destinataire')),
                        ('context', models.JSONField(blank=True, default=dict, verbose_name='contexte')),
                        ('bulk', models.BooleanField(default=False, verbose_name='envoi groupé')),
                        ('secret', models.TextField(blank=True, editable=False, verbose_name='contexte chiffré')),
                        ('message_id', models.CharField(blank=True, max_length=255, verbose_name='Message-ID')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='créé le')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='envoyé le')),
                        ('attempts', models.PositiveIntegerField(default=0, verbose_name='tentatives')),
                        ('last_attempt_at', models.DateTimeField(blank=True, null=True, verbose_name='dernière tentative le')),
                        ('next_attempt_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='prochaine tentative le')),
                        ('failed_at', models.DateTimeField(blank=True, null=True, verbose_name='en échec depuis le')),
                        ('last_error', models.TextField(blank=True, verbose_name='dernière erreur')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to=settings.AUTH_USER_MODEL, verbose_name='compte')),
                    ],
                    options={
                        'verbose_name': 'courriel',
                        'verbose_name_plural': 'courriels',
                        'db_table': 'portal_outgoingemail',
                        'ordering': ['-created_at'],
                        'indexes': [models.Index(condition=models.Q(('failed_at__isnull', True), ('sent_at__isnull', True)), fields=['bulk', 'next_attempt_at'], name='outgoing_email_pending_queue')],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_type_to("core", "portal"), content_type_to("portal", "core")),
    ]
