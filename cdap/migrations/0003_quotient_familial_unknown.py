from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cdap", "0002_dialogue_authenticated_sender")]

    operations = [
        migrations.AlterField(
            model_name="dossier",
            name="quotient_familial",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="QF CNAF (€ par mois)"),
        ),
    ]
