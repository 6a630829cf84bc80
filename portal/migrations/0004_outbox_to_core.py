# The outbox now belongs to core (core 0001): portal forgets the model, its table and rows stay.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0003_outbox_queues'),
        ('core', '0001_outbox'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name='OutgoingEmail')],
        ),
    ]
