"""Drop unit_path_prefix_idx: it repeated, column for column and operator class for operator class,
the varchar_pattern_ops index that db_index=True already creates on PostgreSQL, which is the one
EXPLAIN shows the subtree queries using. The plain index on path (default ordering) stays too."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('units', '0003_audit_trail'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='unit',
            name='unit_path_prefix_idx',
        ),
    ]
