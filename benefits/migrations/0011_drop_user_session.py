"""Sessions are Django's own again (ADR 0044): the session table that named its user goes.

Sessions kept in it end: everyone signed in signs in once more.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("benefits", "0010_entry_entered_by"),
    ]

    operations = [
        migrations.DeleteModel(name="UserSession"),
    ]
