"""Data migration: every rule set states how a council member standing aside counts.

The new parameter `vote_total_excludes_recused` (awards.eligibility.params) is false: the vote
threshold is a share of the council's total members, those standing aside included (Decree 98/2023
Art. 30(7), kept by Decree 152/2025). Rows that already say something keep it.
"""

from django.db import migrations

KEY = "vote_total_excludes_recused"


def add_parameter(apps, schema_editor):
    RuleSet = apps.get_model("awards", "RuleSet")
    for rule_set in RuleSet.objects.all():
        if KEY not in rule_set.params:
            rule_set.params = {**rule_set.params, KEY: False}
            rule_set.save(update_fields=["params"])


def remove_parameter(apps, schema_editor):
    RuleSet = apps.get_model("awards", "RuleSet")
    for rule_set in RuleSet.objects.all():
        if KEY in rule_set.params:
            rule_set.params = {name: value for name, value in rule_set.params.items() if name != KEY}
            rule_set.save(update_fields=["params"])


class Migration(migrations.Migration):
    dependencies = [("awards", "0004_council_recusals")]

    operations = [migrations.RunPython(add_parameter, remove_parameter)]
