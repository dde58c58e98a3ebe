"""Sessions remember when they last authenticated (step-up).

Existing sessions get their sign-in time, not the migration's: a session begun days ago
must re-authenticate before a sensitive change, as it would after this release.
"""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import F


def stamp_existing(apps, schema_editor):
    Session = apps.get_model("tokens", "Session")
    Session.objects.update(authenticated_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("tokens", "0003_global_token_state"),
    ]

    operations = [
        migrations.AddField(
            model_name="session",
            name="authenticated_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.RunPython(stamp_existing, migrations.RunPython.noop, elidable=True),
    ]
