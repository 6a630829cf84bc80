from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("habilitations", "0010_portal_support_banner_contacts")]

    operations = [
        migrations.AddField(
            model_name="caf",
            name="adresse_postale",
            field=models.TextField(
                blank=True,
                help_text="Sous le nom de la Caf, une ligne par ligne d'adresse (par exemple : Rue Émile Ollivier)",
                verbose_name="adresse postale",
            ),
        ),
        migrations.AddField(
            model_name="caf",
            name="horaires_accueil",
            field=models.CharField(
                blank=True,
                help_text="Par exemple : du lundi au vendredi de 8 h 30 à 16 h 30, sur rendez-vous le mercredi",
                max_length=200,
                verbose_name="horaires d'accueil",
            ),
        ),
    ]
