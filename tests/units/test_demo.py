"""`manage.py seed_demo` and units/demo.py: the demo organisation, deterministic and idempotent.

The demo is seeded once for the module (scale 1, seed 2021, with the demo data of every app) and
each test runs in its own rolled-back transaction on top of it. Passwords are hashed with the fast
MD5 hasher here: the default PBKDF2 takes most of a second per login on a small machine.
"""

import datetime
import hashlib
import itertools
from collections.abc import Iterator
from io import StringIO
from typing import NamedTuple

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.utils import translation

from units.demo import DEMO_PASSWORD, DEMO_USERS, FORMER_DEPARTMENTS, RESTRUCTURED_ON
from units.enums import ClusterKind, ClusterRole, Gender, Position, UnitKind
from units.models import Assignment, Cluster, ClusterMembership, Staff, Unit, UnitLineage
from units.services import cluster_year_problems
from units.text import fold

pytestmark = pytest.mark.django_db

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
YEARS = range(2021, 2027)
TODAY = datetime.date(2026, 6, 30)
# 1 department + 12 HQ units + 20 branches + 6 to 8 offices per branch (7 on average).
ACTIVE_UNITS_AT_SCALE_1 = range(33 + 20 * 6, 33 + 20 * 8 + 1)


def seed_demo(**options) -> str:
    """Run the command in English, so that the assertions on its output hold after translation."""
    out = StringIO()
    with translation.override("en"):
        call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def demo_rows(*, exact: bool) -> set[tuple]:
    """Every row the demo writes; `exact` adds primary keys, tree paths and password hashes."""
    user_model = get_user_model()
    ids = ("pk",) if exact else ()
    tables = {
        Unit: [
            *ids,
            "code",
            "name",
            "short_name",
            "kind",
            "parent__code",
            "is_legal_entity",
            "valid_from",
            "valid_to",
            "depth",
            "search_text",
            *(("path",) if exact else ()),
        ],
        UnitLineage: [*ids, "predecessor__code", "successor__code", "effective_on", "note"],
        Cluster: [*ids, "year", "kind", "code", "name"],
        ClusterMembership: [*ids, "cluster__year", "cluster__code", "unit__code", "year", "role"],
        Staff: [
            *ids,
            "staff_code",
            "full_name",
            "gender",
            "date_of_birth",
            "is_party_member",
            "position",
            "is_leader",
            "email",
            "unit__code",
            "user__username",
            "search_text",
        ],
        Assignment: [*ids, "staff__staff_code", "unit__code", "start_date", "end_date"],
        user_model: [
            *ids,
            "username",
            "first_name",
            "last_name",
            "email",
            "is_staff",
            "is_superuser",
            "is_active",
            *(("password", "date_joined", "last_login") if exact else ()),
        ],
        user_model.groups.through: ["user__username", "group__name"],
    }
    return {
        (model.__name__, *row)
        for model, fields in tables.items()
        for row in model.objects.values_list(*fields)
    }


def digest(rows: set[tuple]) -> str:
    return hashlib.sha256("\n".join(sorted(map(repr, rows))).encode()).hexdigest()


def fresh_demo_digest(seed: int) -> str:
    """The digest of a run on an empty database, rolled back afterwards."""
    with transaction.atomic():
        seed_demo(seed=seed)
        result = digest(demo_rows(exact=False))
        transaction.set_rollback(True)
    return result


class Demo(NamedTuple):
    output: str
    fresh_digests: dict[int, str]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[Demo]:
    """The demo at scale 1 with seed 2021, seeded once for the module, as setUpTestData does.

    It lives in an outer transaction that each test's own transaction nests in (as a savepoint),
    and which is rolled back after the last test: nothing to delete, whatever the other apps'
    demo modules add. Before it, two runs on the empty database are digested and rolled back.
    """
    outer = transaction.atomic()
    with django_db_blocker.unblock():
        outer.__enter__()
    try:
        with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            fresh_digests = {seed: fresh_demo_digest(seed) for seed in (2021, 7)}
            output = seed_demo()
        yield Demo(output, fresh_digests)
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def test_demo_builds_the_department_hq_units_and_branches(demo):
    active = Unit.objects.active(TODAY)

    assert active.filter(kind=UnitKind.DEPARTMENT).get().code == "CHQ"
    assert active.filter(kind=UnitKind.HQ_UNIT).count() == 12
    branches = active.filter(kind=UnitKind.REGIONAL_BRANCH).order_by("code")
    assert [branch.code for branch in branches] == [f"KV{number:02d}" for number in range(1, 21)]
    assert branches[0].name == "Chi cục Hải quan khu vực I"
    assert branches[19].name == "Chi cục Hải quan khu vực XX"
    assert all(branch.is_legal_entity and branch.short_name for branch in branches)
    assert active.count() in ACTIVE_UNITS_AT_SCALE_1
    offices = active.filter(kind__in=[UnitKind.OFFICE, UnitKind.BORDER_OFFICE])
    assert {office.parent.kind for office in offices.select_related("parent")} == {UnitKind.REGIONAL_BRANCH}
    assert offices.filter(kind=UnitKind.BORDER_OFFICE).exists()


def test_demo_unit_tree_fields_match_what_save_computes(demo):
    units = Unit.objects.select_related("parent")

    for unit in units:
        parent_path = unit.parent.path if unit.parent else "/"
        assert unit.path == f"{parent_path}{unit.pk}/"
        assert unit.depth == unit.path.count("/") - 2
        assert unit.search_text == fold(" ".join(filter(None, [unit.code, unit.name, unit.short_name])))
    assert Unit.objects.subtree(Unit.objects.get(code="KV01")).count() in range(7, 10)


def test_demo_former_departments_are_closed_and_continued_by_branches(demo):
    former_codes = [code for code, *_rest in FORMER_DEPARTMENTS]
    lineage = UnitLineage.objects.select_related("predecessor", "successor")

    assert len(former_codes) >= 6
    assert Unit.objects.active(TODAY).filter(code__in=former_codes).count() == 0
    assert Unit.objects.active(datetime.date(2024, 12, 31)).filter(code__in=former_codes).count() == len(
        former_codes
    )
    assert {link.predecessor.code for link in lineage} == set(former_codes)
    assert {link.effective_on for link in lineage} == {RESTRUCTURED_ON}
    assert {link.successor.kind for link in lineage} == {UnitKind.REGIONAL_BRANCH}
    assert all(link.successor.is_active_on(TODAY) for link in lineage)
    assert Staff.objects.filter(unit__code__in=former_codes).count() == 0
    assert ClusterMembership.objects.filter(unit__code__in=former_codes).count() == 0


def test_demo_staff_numbers_and_mix(demo):
    staff = Staff.objects.all()
    total = staff.count()

    assert 2300 <= total <= 2700
    assert 0.40 <= staff.filter(gender=Gender.FEMALE).count() / total <= 0.50
    assert 0.55 <= staff.filter(is_party_member=True).count() / total <= 0.65
    assert staff.filter(staff_code="CB000001").get().position == Position.DIRECTOR
    assert staff.filter(email__endswith="@demo.haiquan.test").count() == total
    assert staff.filter(date_of_birth__year__lt=1960).count() == 0
    assert staff.filter(date_of_birth__year__gt=2004).count() == 0


def test_demo_every_unit_has_one_head_and_deputies(demo):
    units = Unit.objects.active(TODAY).exclude(kind=UnitKind.DEPARTMENT)
    department = Unit.objects.get(code="CHQ")

    for unit in units:
        positions = list(unit.staff.filter(is_leader=True).values_list("position", flat=True))
        assert positions.count(Position.HEAD) == 1, unit.code
        assert positions.count(Position.DEPUTY_HEAD) in (1, 2), unit.code
        assert len(positions) == positions.count(Position.HEAD) + positions.count(Position.DEPUTY_HEAD)
    leaders = list(department.staff.values_list("position", flat=True))
    assert leaders.count(Position.DIRECTOR) == 1
    assert leaders.count(Position.DEPUTY_DIRECTOR) in (3, 4)
    assert (
        Staff.objects.exclude(is_leader=True)
        .filter(position__in=[Position.HEAD, Position.DEPUTY_HEAD])
        .count()
        == 0
    )


def test_demo_every_staff_member_has_one_open_assignment_to_its_unit(demo):
    assignments = Assignment.objects.select_related("staff")

    assert assignments.count() == Staff.objects.count()
    assert all(a.end_date is None and a.unit_id == a.staff.unit_id for a in assignments)
    assert assignments.filter(start_date__gte=datetime.date(2025, 1, 1)).count() == 0
    assert all(
        staff.search_text == fold(f"{staff.staff_code} {staff.full_name}") for staff in Staff.objects.all()
    )


def test_demo_clusters_each_year_have_one_leader_and_one_deputy(demo):
    branches = set(
        Unit.objects.active(TODAY).filter(kind=UnitKind.REGIONAL_BRANCH).values_list("code", flat=True)
    )
    hq_units = set(Unit.objects.filter(kind=UnitKind.HQ_UNIT).values_list("code", flat=True))

    for year in YEARS:
        clusters = Cluster.objects.for_year(year).with_members()
        assert sorted(cluster.kind for cluster in clusters) == [ClusterKind.AREA] * 4 + [ClusterKind.FUNCTION]
        placed = []
        for cluster in clusters:
            roles = [membership.role for membership in cluster.memberships.all()]
            assert roles.count(ClusterRole.LEADER) == 1
            assert roles.count(ClusterRole.DEPUTY) == 1
            members = [membership.unit.code for membership in cluster.memberships.all()]
            if cluster.kind == ClusterKind.AREA:
                assert len(members) == 5
                placed += members
            else:
                assert set(members) == hq_units
        assert sorted(placed) == sorted(branches)
    assert cluster_year_problems(2025) == []
    assert cluster_year_problems(2026) == []


def test_demo_cluster_leaders_rotate_year_by_year(demo):
    leaders = list(
        ClusterMembership.objects.filter(cluster__code="CUM01", role=ClusterRole.LEADER)
        .order_by("year")
        .values_list("unit__code", flat=True)
    )

    assert len(leaders) == len(YEARS)
    assert all(this != after for this, after in itertools.pairwise(leaders))


def test_demo_second_run_changes_nothing(demo):
    before = demo_rows(exact=True)

    output = seed_demo()

    assert demo_rows(exact=True) == before
    assert "Units: 0 created" in output
    assert "Staff: 0 created" in output


def test_demo_same_seed_gives_the_same_data_and_another_seed_other_data(demo):
    seeded = digest(demo_rows(exact=False))

    assert demo.fresh_digests[2021] == seeded
    assert demo.fresh_digests[7] != seeded


def test_demo_scale_2_doubles_the_branches_and_only_adds(demo):
    before = demo_rows(exact=True)
    staff_before = Staff.objects.count()

    seed_demo(scale=2)

    active = Unit.objects.active(TODAY)
    assert active.filter(kind=UnitKind.REGIONAL_BRANCH).count() == 40
    assert active.get(code="KV37").name == "Chi cục Hải quan khu vực 37"
    assert Cluster.objects.for_year(2026).filter(kind=ClusterKind.AREA).count() == 8
    assert 1.7 <= Staff.objects.count() / staff_before <= 2.1
    assert before <= demo_rows(exact=True)


def test_demo_rejects_a_scale_below_one(demo):
    with pytest.raises(CommandError, match="scale"):
        seed_demo(scale=0)


def test_demo_logins_can_log_in_with_their_role(demo, client, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    user_model = get_user_model()

    for username, _label, role, unit_code, _pick in DEMO_USERS:
        user = user_model.objects.select_related("staff__unit").get(username=username)
        assert client.login(username=username, password=DEMO_PASSWORD), username
        client.logout()
        assert user.staff.unit.code == unit_code
        if role is None:
            assert user.is_superuser
            assert user.is_staff
            assert list(user.groups.all()) == []
        else:
            assert not user.is_superuser
            assert list(user.groups.values_list("name", flat=True)) == [role]


def test_demo_committee_members_work_in_different_units_below_the_department(demo):
    members = Staff.objects.filter(user__groups__name="committee_member").select_related("unit")

    assert members.count() == 9
    assert len({member.unit_id for member in members}) == 9
    assert {member.unit.kind for member in members} == {UnitKind.HQ_UNIT, UnitKind.REGIONAL_BRANCH}
    donvi = Staff.objects.get(user__username="donvi")
    assert donvi.unit.code == "KV01"
    assert not donvi.is_leader


def test_demo_output_lists_every_login_and_the_password(demo):
    lines = demo.output.splitlines()

    for username, label, *_rest in DEMO_USERS:
        assert any(username in line and label in line and DEMO_PASSWORD in line for line in lines), username
    assert f"Units: {Unit.objects.count()} (" in demo.output
    assert f"Staff: {Staff.objects.count()}." in demo.output


# --- In production -------------------------------------------------------------------------------


def test_demo_refuses_to_seed_in_production_without_the_flag(demo, settings):
    settings.PRODUCTION = True
    users_before = get_user_model().objects.count()

    with pytest.raises(CommandError, match="--allow-production"):
        seed_demo()

    assert get_user_model().objects.count() == users_before


def printed_passwords(output: str) -> dict[str, str]:
    """username -> the password column of the command's table of logins."""
    found = {}
    for line in output.splitlines():
        words = line.split()
        for username, *_rest in DEMO_USERS:
            if username in words:
                found[username] = words[words.index(username) + 1]
    return found


def test_demo_in_production_with_the_flag_gives_random_passwords_printed_once(demo, settings, client):
    settings.PRODUCTION = True
    settings.PASSWORD_HASHERS = FAST_HASHERS
    user_model = get_user_model()
    usernames = [username for username, *_rest in DEMO_USERS]
    # Move the accounts of the module's demo aside, so that this run creates them afresh.
    for user in user_model.objects.filter(username__in=usernames):
        user.username = f"old-{user.username}"
        user.save(update_fields=["username"])

    first = printed_passwords(seed_demo(allow_production=True))
    again = printed_passwords(seed_demo(allow_production=True))

    assert sorted(first) == sorted(usernames)
    assert DEMO_PASSWORD not in first.values()
    assert len(set(first.values())) == len(usernames)
    assert all(len(password) >= 16 for password in first.values())
    assert client.login(username="admin", password=first["admin"])
    assert not client.login(username="thuongtruc", password=DEMO_PASSWORD)
    assert set(again.values()) == {"(unchanged)"}
