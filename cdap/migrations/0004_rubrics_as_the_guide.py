from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cdap", "0003_quotient_familial_unknown")]

    operations = [
        migrations.AddField(
            model_name="person",
            name="aeeh",
            field=models.BooleanField(default=False, verbose_name="bénéficiaire de l'AEEH"),
        ),
        migrations.AddField(
            model_name="right",
            name="beneficiaire",
            field=models.CharField(
                blank=True,
                choices=[("RESPONSABLE", "Responsable du dossier"), ("CONJOINT", "Conjoint")],
                max_length=12,
                verbose_name="bénéficiaire",
            ),
        ),
        migrations.AlterField(
            model_name="housing",
            name="surpeuplement",
            field=models.BooleanField(blank=True, default=None, null=True, verbose_name="surpeuplement"),
        ),
    ]
