"""A period page's timeline through the payload's period number (pacm issue 8)."""

import django.db.models.fields.json
from django.db import migrations, models
from django.db.models.lookups import IsNull


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0011_event_kinds_merged'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='event',
            index=models.Index(models.F('stream'), django.db.models.fields.json.KeyTransform('monitoring_period', 'payload'), models.F('sequence'), name='event_stream_period_seq',
                               condition=models.Q(IsNull(django.db.models.fields.json.KeyTransform('monitoring_period', 'payload'), False))),
        ),
    ]
