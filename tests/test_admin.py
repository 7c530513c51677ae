"""The Django admin is a door like any page: viewers for workflow records, audited editors elsewhere.

`test_admin_permissions_of_every_registered_model` walks admin.site._registry: a model registered
without a row in PERMISSIONS fails it. Every model the superuser may change is then changed by a
real POST of its change form (the fields a browser would send, read from the rendered page, one
of them altered) and must leave an audit entry with the value before and after; a unit moved in
the admin takes its sub-units along.
"""

import datetime
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User
from django.test import RequestFactory
from django.urls import reverse

from awards.enums import VoteChoice
from awards.models import (
    AwardType,
    Discipline,
    Exemplar,
    Initiative,
    Leave,
    Rating,
    ReviewFlag,
    RuleSet,
    Vote,
)
from tests.conftest import make_persona
from tests.factories import (
    AwardRecordFactory,
    AwardTypeFactory,
    ClusterFactory,
    ClusterMembershipFactory,
    CouncilSeatFactory,
    CouncilSessionFactory,
    DecisionFactory,
    NominationDocumentFactory,
    NominationFactory,
    StaffFactory,
    UnitFactory,
    UserFactory,
    VoteFactory,
)
from units.enums import Role
from units.models import Assignment, AuditEntry, ClusterMembership, Unit, UnitLineage
from units.services import assign_staff, record_audit

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}

# model label -> (add, change, delete) for a superuser. Workflow records and login logs are
# viewers; reference data and yearly facts are audited editors; deleting is for a cluster
# membership put in the wrong cluster and for a failed-login record (to unlock an account).
PERMISSIONS = {
    "auth.Group": (False, False, False),
    "auth.User": (True, True, False),
    "axes.AccessAttempt": (False, False, True),
    "axes.AccessLog": (False, False, False),
    "axes.AccessFailureLog": (False, False, False),
    "units.Unit": (True, True, False),
    "units.Cluster": (True, True, False),
    "units.ClusterMembership": (True, True, True),
    "units.Staff": (True, True, False),
    "units.Assignment": (False, False, False),
    "units.UnitLineage": (True, False, False),
    "units.AuditEntry": (False, False, False),
    "awards.AwardType": (True, True, False),
    "awards.RuleSet": (True, True, False),
    "awards.Rating": (True, True, False),
    "awards.Discipline": (True, True, False),
    "awards.Leave": (True, True, False),
    "awards.Initiative": (True, True, False),
    "awards.ReviewFlag": (True, True, False),
    "awards.Exemplar": (True, True, False),
    "awards.Nomination": (False, False, False),
    "awards.CouncilSession": (False, False, False),
    "awards.Decision": (False, False, False),
    "awards.AwardRecord": (False, False, False),
}


class FormReader(HTMLParser):
    """What a browser would send for the admin's change form: every named, enabled control."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self.in_form = False
        self.select: tuple[str, bool] | None = None
        self.select_options: list[tuple[str, bool]] = []
        self.textarea: str | None = None

    def add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and attributes.get("id", "").endswith("_form"):
            self.in_form = True
        if not self.in_form or "disabled" in attributes or not attributes.get("name"):
            if tag == "option" and self.select is not None:
                self.select_options.append((attributes.get("value", ""), "selected" in attributes))
            return
        name = attributes["name"]
        if tag == "input":
            kind = attributes.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in attributes:
                    self.add(name, attributes.get("value", "on"))
                return
            self.add(name, attributes.get("value", ""))
        elif tag == "select":
            self.select = (name, "multiple" in attributes)
            self.select_options = []
        elif tag == "textarea":
            self.textarea = name
            self.add(name, "")

    def handle_data(self, data):
        if self.textarea is not None:
            self.data[self.textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        if tag == "textarea":
            self.textarea = None
        if tag == "select" and self.select is not None:
            name, multiple = self.select
            chosen = [value for value, selected in self.select_options if selected]
            if not chosen and not multiple and self.select_options:
                chosen = [self.select_options[0][0]]
            for value in chosen:
                self.add(name, value)
            self.select = None


def change_form_data(client, url: str) -> dict[str, list[str]]:
    page = client.get(url, **EN)
    assert page.status_code == 200, url
    reader = FormReader()
    reader.feed(page.content.decode())
    reader.data["_save"] = ["Save"]
    return reader.data


def post_change(client, obj, changes: dict[str, str]):
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    data = change_form_data(client, url) | {name: [value] for name, value in changes.items()}
    return client.post(url, data, **EN)


def entries(obj, action: str) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            content_type__app_label=obj._meta.app_label,
            content_type__model=obj._meta.model_name,
            object_id=obj.pk,
            action=action,
        )
    )


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def test_admin_permissions_of_every_registered_model(superuser):
    request = RequestFactory().get("/admin/")
    request.user = superuser

    found = {
        model._meta.label: (
            model_admin.has_add_permission(request),
            model_admin.has_change_permission(request),
            model_admin.has_delete_permission(request),
        )
        for model, model_admin in admin.site._registry.items()
    }

    assert found == PERMISSIONS


def test_ballots_are_not_in_the_admin_at_all(admin_client):
    inline_models = {
        inline.model for model_admin in admin.site._registry.values() for inline in model_admin.inlines
    }

    response = admin_client.get("/admin/awards/vote/")

    assert Vote not in admin.site._registry
    assert Vote not in inline_models
    assert response.status_code == 404


@pytest.fixture
def workflow(org, superuser):
    """Records the admin only shows: a nomination and its dossier file, a council session with a
    seat and a ballot ("Disagree"), a decision and its award record, a posting, a merge, login records."""
    staff = StaffFactory(unit=org.office_a, full_name="Phạm Thị Dung")
    assign_staff(staff, unit=org.office_a, start_date=datetime.date(2024, 1, 1))
    session = CouncilSessionFactory(
        title="Phiên họp", year=2025, held_on=datetime.date(2026, 3, 2), created_by=None
    )
    CouncilSeatFactory(session=session, member=superuser, attended=True)
    nomination = NominationFactory(
        award_type=AwardTypeFactory(code="LDTT"),
        year=2025,
        staff=staff,
        proposing_unit=org.branch_a,
        achievements="Hoàn thành xuất sắc nhiệm vụ.",
        created_by=superuser,
    )
    NominationDocumentFactory(nomination=nomination, original_name="to-trinh.pdf", uploaded_by=superuser)
    vote = VoteFactory(session=session, nomination=nomination, member=superuser, choice=VoteChoice.NO)
    decision = DecisionFactory(
        number="1/QĐ-CHQ",
        decided_on=datetime.date(2026, 1, 15),
        signer="Nguyễn Văn Cẩn",
        title="Tặng danh hiệu Lao động tiên tiến năm 2025",
        created_by=superuser,
    )
    record = AwardRecordFactory(award_type=nomination.award_type, year=2025, staff=staff, decision=decision)
    UnitLineage.objects.create(
        predecessor=org.office_b, successor=org.branch_b, effective_on=datetime.date(2025, 7, 1)
    )
    AccessAttempt.objects.create(username="officer", ip_address="10.0.0.7", failures_since_start=5)
    AccessLog.objects.create(username="officer", ip_address="10.0.0.7")
    AccessFailureLog.objects.create(username="officer", ip_address="10.0.0.7", locked_out=False)
    record_audit(nomination, action="nomination.created", actor=superuser)
    return {"nomination": nomination, "session": session, "vote": vote, "record": record}


def test_a_ballot_printed_anywhere_never_shows_its_choice(workflow):
    printed = str(workflow["vote"])

    assert [label for label in (*VoteChoice.values, *map(str, VoteChoice.labels)) if label in printed] == []


@pytest.fixture
def editable(org, superuser):
    """One record of every model the superuser may change, and the change the test makes to it."""
    staff = StaffFactory(unit=org.office_a, full_name="Trần Thị Bình")
    cluster = ClusterFactory(year=2026, name="Cụm cũ")
    membership = ClusterMembershipFactory(cluster=cluster, unit=org.branch_a)
    initiative = Initiative.objects.create(
        title="Sáng kiến cũ", level="unit", recognised_on=datetime.date(2025, 6, 1), unit=org.branch_a
    )
    initiative.authors.add(staff)
    return {
        "auth.User": (UserFactory(username="lan"), {"first_name": "Lan"}),
        "units.Unit": (org.office_b, {"name": "Đội Kiểm soát Hải quan số 2"}),
        "units.Cluster": (cluster, {"name": "Cụm mới"}),
        "units.ClusterMembership": (membership, {"role": "deputy"}),
        "units.Staff": (staff, {"full_name": "Trần Thị Bình An"}),
        "awards.AwardType": (AwardType.objects.get(code="LDTT"), {"name": "Lao động tiên tiến (sửa)"}),
        "awards.RuleSet": (RuleSet.objects.order_by("effective_from").first(), {"name": "Bộ quy tắc (sửa)"}),
        "awards.Rating": (
            Rating.objects.create(staff=staff, year=2025, grade="good"),
            {"grade": "excellent"},
        ),
        "awards.Discipline": (
            Discipline.objects.create(
                staff=staff,
                level="reprimand",
                decided_on=datetime.date(2025, 3, 1),
                starts_on=datetime.date(2025, 3, 1),
            ),
            {"level": "warning"},
        ),
        "awards.Leave": (
            Leave.objects.create(staff=staff, year=2025, kind="maternity", months=4),
            {"kind": "sick"},
        ),
        "awards.Initiative": (initiative, {"title": "Sáng kiến mới"}),
        "awards.ReviewFlag": (
            ReviewFlag.objects.create(staff=staff, kind="complaint", opened_on=datetime.date(2025, 5, 1)),
            {"kind": "inspection"},
        ),
        "awards.Exemplar": (
            Exemplar.objects.create(
                name="Điển hình cũ", unit=org.branch_a, discovered_on=datetime.date(2025, 1, 2)
            ),
            {"name": "Điển hình mới"},
        ),
    }


def test_every_change_the_admin_allows_leaves_an_audit_entry(admin_client, superuser, editable):
    changeable = sorted(label for label, (_add, change, _delete) in PERMISSIONS.items() if change)
    assert sorted(editable) == changeable, "give each changeable model a record and a change"
    missing = []
    for label, (obj, changes) in editable.items():
        response = post_change(admin_client, obj, changes)

        assert response.status_code == 302, f"{label}: {response.status_code}"
        obj.refresh_from_db()
        field, value = next(iter(changes.items()))
        assert str(getattr(obj, field)) == value, label
        audited = entries(obj, "admin.changed")
        if len(audited) != 1 or audited[0].after != changes or audited[0].actor != superuser:
            missing.append(label)
        elif audited[0].before.get(field) in (None, value):
            missing.append(f"{label} (value before)")

    assert missing == []


def test_moving_a_unit_in_the_admin_moves_its_sub_units_and_is_audited(admin_client, org, superuser):
    team = UnitFactory(code="KV1-01-A", name="Tổ kiểm soát", kind="office", parent=org.office_a)

    response = post_change(admin_client, org.branch_a, {"parent": str(org.branch_b.pk)})

    assert response.status_code == 302
    for unit in (org.branch_a, org.office_a, team):
        unit.refresh_from_db()
    assert org.branch_a.path == f"{org.branch_b.path}{org.branch_a.pk}/"
    assert org.office_a.path == f"{org.branch_a.path}{org.office_a.pk}/"
    assert team.path == f"{org.office_a.path}{team.pk}/"
    assert (org.branch_a.depth, org.office_a.depth, team.depth) == (2, 3, 4)
    # Scoping reads the paths: branch B's officer now sees branch A's whole line.
    officer_b = make_persona("officer_b", [Role.UNIT_OFFICER], org.branch_b)
    seen = Unit.objects.visible_to(officer_b).order_by("code")
    assert [unit.code for unit in seen] == ["KV1", "KV1-01", "KV1-01-A", "KV2", "KV2-01"]
    assert [unit.code for unit in Unit.objects.descendants(org.branch_a).order_by("code")] == [
        "KV1-01",
        "KV1-01-A",
    ]
    (entry,) = entries(org.branch_a, "admin.changed")
    assert (entry.before, entry.after) == ({"parent": org.dept.pk}, {"parent": org.branch_b.pk})


def test_the_admin_refuses_to_place_a_unit_below_its_own_sub_unit(admin_client, org):
    response = post_change(admin_client, org.branch_a, {"parent": str(org.office_a.pk)})

    org.branch_a.refresh_from_db()
    assert response.status_code == 200
    assert "A unit cannot be placed below one of its own sub-units." in response.content.decode()
    assert org.branch_a.parent == org.dept
    assert entries(org.branch_a, "admin.changed") == []


def test_a_posting_made_in_the_admin_goes_through_assign_staff(admin_client, org):
    staff = StaffFactory(unit=None, full_name="Lê Văn Cường")
    assign_staff(staff, unit=org.office_a, start_date=datetime.date(2024, 1, 1))

    response = post_change(
        admin_client, staff, {"posting_unit": str(org.office_b.pk), "posting_from": "01/03/2026"}
    )

    staff.refresh_from_db()
    postings = list(
        Assignment.objects.filter(staff=staff)
        .order_by("start_date")
        .values_list("unit__code", "start_date", "end_date")
    )
    assert response.status_code == 302
    assert staff.unit == org.office_b
    assert postings == [
        ("KV1-01", datetime.date(2024, 1, 1), datetime.date(2026, 2, 28)),
        ("KV2-01", datetime.date(2026, 3, 1), None),
    ]
    (entry,) = entries(staff, "admin.changed")
    assert entry.after == {"posting_unit": org.office_b.pk, "posting_from": "2026-03-01"}


def test_a_posting_before_the_current_one_is_refused_at_the_field(admin_client, org):
    staff = StaffFactory(unit=None, full_name="Lê Văn Cường")
    assign_staff(staff, unit=org.office_a, start_date=datetime.date(2024, 1, 1))

    response = post_change(
        admin_client, staff, {"posting_unit": str(org.office_b.pk), "posting_from": "01/01/2023"}
    )

    assert response.status_code == 200
    assert "The new posting must start after the current one (01/01/2024)." in response.content.decode()
    assert Assignment.objects.filter(staff=staff).count() == 1
    assert entries(staff, "admin.changed") == []


def test_a_rating_added_in_the_admin_is_audited(admin_client, org, superuser):
    staff = StaffFactory(unit=org.office_a)
    url = reverse("admin:awards_rating_add")
    data = change_form_data(admin_client, url) | {
        "staff": [str(staff.pk)],
        "year": ["2025"],
        "grade": ["good"],
    }

    response = admin_client.post(url, data, **EN)

    rating = Rating.objects.get(staff=staff, year=2025)
    assert response.status_code == 302
    (entry,) = entries(rating, "admin.created")
    assert (entry.actor, entry.after["grade"], entry.after["staff"]) == (superuser, "good", staff.pk)


def test_a_merge_recorded_in_the_admin_closes_the_predecessor_and_is_audited(admin_client, org):
    url = reverse("admin:units_unitlineage_add")
    data = change_form_data(admin_client, url) | {
        "predecessor": [str(org.branch_b.pk)],
        "successor": [str(org.branch_a.pk)],
        "effective_on": ["01/07/2025"],
    }

    response = admin_client.post(url, data, **EN)

    org.branch_b.refresh_from_db()
    link = UnitLineage.objects.get(predecessor=org.branch_b, successor=org.branch_a)
    assert response.status_code == 302
    assert org.branch_b.valid_to == datetime.date(2025, 6, 30)
    assert len(entries(link, "admin.created")) == 1


@pytest.mark.parametrize("model", ["membership", "attempt"])
def test_the_deletions_the_admin_allows_are_audited(admin_client, org, model):
    if model == "membership":
        obj = ClusterMembershipFactory(cluster=ClusterFactory(year=2026), unit=org.branch_a)
    else:
        obj = AccessAttempt.objects.create(username="officer", ip_address="10.0.0.7", failures_since_start=5)
    pk = obj.pk
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_delete", args=[pk])

    response = admin_client.post(url, {"post": "yes"}, **EN)

    assert response.status_code == 302
    assert not type(obj).objects.filter(pk=pk).exists()
    (entry,) = entries(obj, "admin.deleted")
    assert entry.before["id"] == pk


def test_workflow_records_refuse_a_change_posted_to_the_admin(admin_client, workflow):
    nomination, record = workflow["nomination"], workflow["record"]
    before = AuditEntry.objects.count()

    answers = [
        admin_client.post(
            reverse("admin:awards_nomination_change", args=[nomination.pk]), {"state": "approved"}
        ).status_code,
        admin_client.post(
            reverse("admin:awards_awardrecord_change", args=[record.pk]), {"amount": "99999999"}
        ).status_code,
        admin_client.post(
            reverse("admin:awards_nomination_delete", args=[nomination.pk]), {"post": "yes"}
        ).status_code,
    ]

    nomination.refresh_from_db()
    record.refresh_from_db()
    assert answers == [403, 403, 403]
    assert (nomination.state, record.amount) == ("draft", Decimal(702000))
    assert AuditEntry.objects.count() == before


def test_every_admin_list_and_record_opens_for_the_superuser_and_none_shows_a_ballot(
    admin_client, editable, workflow
):
    failures, shown = [], {}
    for model in list(admin.site._registry):
        opts = model._meta
        listing = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), **EN)
        first = model._default_manager.first()
        if first is None:
            failures.append(f"{opts.label}: no record to open")
            continue
        page = admin_client.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk]), **EN
        )
        if (listing.status_code, page.status_code) != (200, 200):
            failures.append(f"{opts.label}: list {listing.status_code}, record {page.status_code}")
        shown[opts.label] = listing.content.decode() + page.content.decode()

    assert failures == []
    assert [label for label, html in shown.items() if "Disagree" in html] == []
    assert "Phiên họp" in shown["awards.CouncilSession"]  # the session page is there, without ballots


def test_the_admin_log_never_holds_a_ballot(admin_client, editable):
    for obj, changes in editable.values():
        post_change(admin_client, obj, changes)

    messages = " ".join(f"{entry.object_repr} {entry.change_message}" for entry in LogEntry.objects.all())

    assert LogEntry.objects.filter(content_type__model="vote").count() == 0
    assert messages  # the admin did log the changes above
    assert [label for label in map(str, VoteChoice.labels) if label in messages] == []


def test_role_groups_cannot_be_renamed_in_the_admin(admin_client):
    group = Group.objects.get(name="leader")

    response = admin_client.post(reverse("admin:auth_group_change", args=[group.pk]), {"name": "lãnh đạo"})

    group.refresh_from_db()
    assert response.status_code == 403
    assert group.name == "leader"


def test_a_password_set_in_the_admin_is_audited_without_the_password(admin_client, superuser):
    user = UserFactory(username="lan")
    url = reverse("admin:auth_user_password_change", args=[user.pk])

    response = admin_client.post(
        url, {"password1": "Mat-khau-moi-2026!", "password2": "Mat-khau-moi-2026!", "usable_password": "true"}
    )

    (entry,) = entries(user, "admin.password_changed")
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).check_password("Mat-khau-moi-2026!")
    assert "Mat-khau" not in f"{entry.before} {entry.after} {entry.reason}"
    assert entry.actor == superuser


def test_roles_given_in_the_admin_are_audited(admin_client, superuser):
    user = UserFactory(username="lan")
    leader = Group.objects.get(name="leader")

    response = post_change(admin_client, user, {"groups": str(leader.pk)})

    (entry,) = entries(user, "admin.changed")
    assert response.status_code == 302
    assert list(user.groups.values_list("name", flat=True)) == ["leader"]
    assert (entry.before, entry.after, entry.actor) == ({"groups": []}, {"groups": [leader.pk]}, superuser)


def test_an_account_added_in_the_admin_is_audited_without_its_password(admin_client, superuser):
    url = reverse("admin:auth_user_add")
    data = change_form_data(admin_client, url) | {
        "username": ["hoa"],
        "password1": ["Mat-khau-moi-2026!"],
        "password2": ["Mat-khau-moi-2026!"],
        "usable_password": ["true"],
    }

    response = admin_client.post(url, data, **EN)

    user = User.objects.get(username="hoa")
    (entry,) = entries(user, "admin.created")
    assert response.status_code == 302
    assert entry.after == {"username": "hoa"}


def test_a_membership_removed_under_its_cluster_is_audited(admin_client, org, superuser):
    cluster = ClusterFactory(year=2026, name="Cụm thử")
    membership = ClusterMembershipFactory(cluster=cluster, unit=org.branch_a)
    pk = membership.pk

    response = post_change(admin_client, cluster, {"memberships-0-DELETE": "on"})

    assert response.status_code == 302
    assert not ClusterMembership.objects.filter(pk=pk).exists()
    (entry,) = entries(membership, "admin.deleted")
    assert (entry.before["unit_id"], entry.actor) == (org.branch_a.pk, superuser)
    assert entries(cluster, "admin.changed") == []  # the cluster's own fields did not change
