"""The schema carries no index twice: every duplicate slows each write and buys no read."""

import pytest
from django.db import connection

from units.models import Unit

pytestmark = pytest.mark.django_db

SAME_DEFINITION = """
    SELECT indrelid::regclass::text, array_agg(indexrelid::regclass::text ORDER BY 1)
    FROM pg_index
    JOIN pg_class ON pg_class.oid = pg_index.indrelid
    JOIN pg_namespace ON pg_namespace.oid = pg_class.relnamespace
    WHERE pg_namespace.nspname = current_schema()
    GROUP BY indrelid, indkey::text, indclass::text, indisunique,
             coalesce(pg_get_expr(indexprs, indrelid), ''), coalesce(pg_get_expr(indpred, indrelid), '')
    HAVING count(*) > 1
"""


def _require_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("operator classes and plans are PostgreSQL's; CI runs this on PostgreSQL")


def test_indexes_no_two_share_one_definition():
    _require_postgresql()

    with connection.cursor() as cursor:
        cursor.execute(SAME_DEFINITION)
        duplicates = cursor.fetchall()

    assert duplicates == []


def test_indexes_unit_path_is_indexed_once_for_ordering_and_once_for_prefixes():
    _require_postgresql()

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
            [Unit._meta.db_table, "%(path%"],
        )
        definitions = sorted(row[0].split(" USING ")[1] for row in cursor.fetchall())

    assert definitions == ["btree (path varchar_pattern_ops)", "btree (path)"]


def test_indexes_subtree_query_uses_the_prefix_index():
    _require_postgresql()
    root = Unit.objects.create(code="ROOT", name="Root")
    branch = Unit.objects.create(code="B1", name="Branch", parent=root)
    Unit.objects.create(code="O1", name="Office", parent=branch)

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = Unit.objects.subtree(branch).explain()

    assert "_like" in plan, plan
