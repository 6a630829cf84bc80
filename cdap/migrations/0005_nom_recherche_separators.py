"""Persons' `nom_recherche` in the new normal form of cdap.text.normalize_name (a hyphen, an apostrophe or several
blanks count as one space; Œ, Æ, ß spelled out): "DUPRE-LEFEVRE" becomes "DUPRE LEFEVRE", so that "dupre lefevre"
finds it. Only the rows holding something other than capitals and spaces can change; they are rewritten in batches."""

from django.db import migrations

from cdap.text import normalize_name

BATCH = 2000


def recompute(apps, schema_editor):
    Person = apps.get_model("cdap", "Person")
    changed = []
    rows = Person.objects.filter(nom_recherche__regex=r"[^A-Z ]").only("pk", "nom", "nom_recherche").order_by("pk")
    for person in rows.iterator(chunk_size=BATCH):
        value = normalize_name(person.nom)
        if value != person.nom_recherche:
            person.nom_recherche = value
            changed.append(person)
        if len(changed) >= BATCH:
            Person.objects.bulk_update(changed, ["nom_recherche"])
            changed = []
    if changed:
        Person.objects.bulk_update(changed, ["nom_recherche"])


class Migration(migrations.Migration):
    dependencies = [("cdap", "0004_rubrics_as_the_guide")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True)]
