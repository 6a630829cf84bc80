"""Dialogue messages record the authenticated sender's organism; the typed organism, name and address become
"declared" values (issue 10, finding 4)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill_organism(apps, schema_editor):
    """The organism of the message's consultation, else the sender account's organism (messages from the search
    page); a message with neither stays empty."""
    DialogueMessage = apps.get_model("cdap", "DialogueMessage")
    for message in DialogueMessage.objects.filter(organism__isnull=True).select_related("consultation", "user"):
        organism_id = message.consultation.organism_id if message.consultation else message.user.organism_id
        if organism_id:
            message.organism_id = organism_id
            message.save(update_fields=["organism"])


class Migration(migrations.Migration):
    dependencies = [
        ("cdap", "0001_initial"),
        ("habilitations", "0007_journal_organism"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField("dialoguemessage", "organisme", "organisme_declare"),
        migrations.RenameField("dialoguemessage", "nom_prenom", "nom_prenom_declare"),
        migrations.RenameField("dialoguemessage", "email", "email_declare"),
        migrations.AlterField(
            model_name="dialoguemessage",
            name="organisme_declare",
            field=models.CharField(max_length=200, verbose_name="organisme déclaré"),
        ),
        migrations.AlterField(
            model_name="dialoguemessage",
            name="nom_prenom_declare",
            field=models.CharField(max_length=200, verbose_name="nom et prénom déclarés"),
        ),
        migrations.AlterField(
            model_name="dialoguemessage",
            name="email_declare",
            field=models.EmailField(max_length=320, verbose_name="adresse électronique déclarée"),
        ),
        migrations.AlterField(
            model_name="dialoguemessage",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                to=settings.AUTH_USER_MODEL,
                verbose_name="expéditeur authentifié",
            ),
        ),
        migrations.AlterField(
            model_name="dialoguemessage",
            name="consultation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                to="cdap.consultation",
                verbose_name="consultation d'origine",
            ),
        ),
        migrations.AddField(
            model_name="dialoguemessage",
            name="organism",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                to="habilitations.organism",
                verbose_name="organisme réel",
            ),
        ),
        migrations.RunPython(fill_organism, migrations.RunPython.noop),
    ]
