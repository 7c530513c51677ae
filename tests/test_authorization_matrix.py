"""The authorization matrix: every URL × every role × own/other object, expected answers written once.

The URL list comes from the URL configuration itself: a new URL without an entry in MATRIX fails
`test_matrix_covers_every_url`. Each entry names the object the URL is about (belonging to unit A)
and the answer each persona must get for a GET; POST-only URLs are also posted to by every persona
that may not use them, and must change nothing. Unit B's officer is the stranger for unit A's data.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.urls import URLResolver, get_resolver, reverse

from emulation.models import Evidence, RankingSnapshot, ScorerAssignment, SelfScore
from emulation.services import start_pledge
from emulation.services.scoring import assign_scorer, start_submission, submit_submission
from tests.conftest import make_persona
from tests.emulation.conftest import at
from tests.factories import (
    ClusterFactory,
    ClusterMembershipFactory,
    CriterionFactory,
    MovementFactory,
    PeriodFactory,
    StaffFactory,
    TaskAreaFactory,
)
from tests.figures import record
from units.enums import Role

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "officer", "stranger", "member", "conflicted", "secretary", "leader"]
SIGNED_IN = PERSONAS[1:]
PUBLIC = {"healthz", "login", "set_language"}  # answer without a login


def answers(default: int, **overrides: int) -> dict[str, int]:
    """Expected status per signed-in persona; anonymous users are sent to the login page (302)."""
    result = dict.fromkeys(SIGNED_IN, default)
    result.update(overrides)
    result.setdefault("anonymous", 302)
    return result


EVERYONE = answers(200)
SECRETARY_ONLY = answers(403, secretary=200)
SECRETARY_AND_LEADER = answers(403, secretary=200, leader=200)
POST_ONLY = answers(405)
# Unit A's records: its officer and the movement-wide roles read them; unit B's officer gets 404.
UNIT_A_RECORD = answers(200, stranger=404)
# A self-assessment: readers are its unit's officer, the secretary, leaders and assigned scorers
# without a conflict of interest.
SUBMISSION_A = answers(200, stranger=404, conflicted=404)


# url name -> (how to build its kwargs from the world, expected GET answers)
MATRIX: dict[str, tuple[Callable[[dict], dict], dict[str, int]]] = {
    "home": (lambda w: {}, EVERYONE),
    "healthz": (lambda w: {}, answers(200, anonymous=200)),
    "login": (lambda w: {}, answers(302, anonymous=200)),
    "logout": (lambda w: {}, answers(405)),
    "password_change": (lambda w: {}, EVERYONE),
    "password_change_done": (lambda w: {}, EVERYONE),
    "set_language": (lambda w: {}, answers(302, anonymous=302)),
    # units
    "units:unit-list": (lambda w: {}, EVERYONE),
    "units:unit-detail": (lambda w: {"pk": w["org"].branch_a.pk}, UNIT_A_RECORD),
    "units:cluster-list": (lambda w: {}, EVERYONE),
    "units:staff-list": (lambda w: {}, answers(200, member=403, conflicted=403)),
    "units:staff-detail": (
        lambda w: {"pk": w["staff_a"].pk},
        answers(200, stranger=404, member=404, conflicted=404),
    ),
    "units:unit-import": (lambda w: {}, SECRETARY_ONLY),
    "units:unit-export": (lambda w: {}, EVERYONE),
    "units:staff-import": (lambda w: {}, SECRETARY_ONLY),
    "units:staff-export": (lambda w: {}, EVERYONE),
    # pledges
    "emulation:pledge-list": (lambda w: {}, SECRETARY_AND_LEADER),
    "emulation:pledge-mine": (lambda w: {}, answers(403, officer=200, stranger=200)),
    "emulation:pledge-detail": (lambda w: {"pk": w["pledge"].pk}, UNIT_A_RECORD),
    # After the deadline the officer's edit page redirects to the read-only pledge.
    "emulation:pledge-edit": (lambda w: {"pk": w["pledge"].pk}, answers(403, officer=302, stranger=404)),
    "emulation:pledge-print": (lambda w: {"pk": w["pledge"].pk}, UNIT_A_RECORD),
    "emulation:pledge-accept": (lambda w: {"pk": w["pledge"].pk}, POST_ONLY),
    "emulation:pledge-return": (lambda w: {"pk": w["pledge"].pk}, POST_ONLY),
    "emulation:pledge-reopen": (lambda w: {"pk": w["pledge"].pk}, POST_ONLY),
    # movement setup
    "emulation:movement-list": (lambda w: {}, SECRETARY_AND_LEADER),
    "emulation:movement-detail": (lambda w: {"pk": w["period"].movement_id}, SECRETARY_AND_LEADER),
    "emulation:movement-edit": (lambda w: {"pk": w["period"].movement_id}, SECRETARY_ONLY),
    "emulation:task-area-edit": (lambda w: {"pk": w["criterion"].task_area_id}, SECRETARY_ONLY),
    "emulation:criterion-create": (lambda w: {"pk": w["criterion"].task_area_id}, SECRETARY_ONLY),
    "emulation:criterion-edit": (lambda w: {"pk": w["criterion"].pk}, SECRETARY_ONLY),
    "emulation:criterion-delete": (lambda w: {"pk": w["criterion"].pk}, SECRETARY_ONLY),
    "emulation:period-list": (lambda w: {}, SECRETARY_AND_LEADER),
    "emulation:period-create": (lambda w: {}, SECRETARY_ONLY),
    "emulation:period-detail": (lambda w: {"pk": w["period"].pk}, SECRETARY_AND_LEADER),
    "emulation:period-edit": (lambda w: {"pk": w["period"].pk}, SECRETARY_ONLY),
    # covenants
    "emulation:covenant-list": (lambda w: {}, EVERYONE),
    "emulation:covenant-detail": (
        lambda w: {"cluster": w["cluster"].pk, "period": w["period"].pk},
        UNIT_A_RECORD,
    ),
    "emulation:covenant-confirm": (
        lambda w: {"cluster": w["cluster"].pk, "period": w["period"].pk},
        POST_ONLY,
    ),
    # self-assessment and evidence
    "emulation:submission-mine": (lambda w: {}, answers(403, officer=302, stranger=302)),
    "emulation:submission-detail": (lambda w: {"pk": w["submission"].pk}, SUBMISSION_A),
    # Submitted, so the unit's officer is sent to the read-only page.
    "emulation:submission-edit": (
        lambda w: {"pk": w["submission"].pk},
        answers(403, officer=302, stranger=404, conflicted=404),
    ),
    "emulation:evidence-upload": (lambda w: {"pk": w["submission"].pk}, POST_ONLY),
    "emulation:evidence-file": (lambda w: {"pk": w["evidence"].pk}, SUBMISSION_A),
    "emulation:evidence-delete": (lambda w: {"pk": w["evidence"].pk}, POST_ONLY),
    # committee scoring
    "emulation:scoring-queue": (lambda w: {}, answers(403, member=200, conflicted=200)),
    "emulation:scoring-form": (lambda w: {"pk": w["submission"].pk}, answers(404, member=200)),
    "emulation:scoring-return": (lambda w: {"pk": w["submission"].pk}, POST_ONLY),
    # secretary's scoring control
    "emulation:submission-list": (lambda w: {}, SECRETARY_AND_LEADER),
    "emulation:submission-manage": (lambda w: {"pk": w["submission"].pk}, SECRETARY_AND_LEADER),
    "emulation:submission-scorer-add": (lambda w: {"pk": w["submission"].pk}, POST_ONLY),
    "emulation:submission-scorer-remove": (
        lambda w: {"pk": w["submission"].pk, "assignment": w["assignment"].pk},
        POST_ONLY,
    ),
    "emulation:submission-adjustment-add": (lambda w: {"pk": w["submission"].pk}, POST_ONLY),
    "emulation:period-scoring": (lambda w: {"pk": w["period"].pk}, SECRETARY_AND_LEADER),
    "emulation:period-scoring-settings": (lambda w: {"pk": w["period"].pk}, POST_ONLY),
    "emulation:period-scorers-assign": (lambda w: {"pk": w["period"].pk}, POST_ONLY),
    "emulation:period-finalise": (lambda w: {"pk": w["period"].pk}, POST_ONLY),
    "emulation:period-reopen": (lambda w: {"pk": w["period"].pk}, POST_ONLY),
    "emulation:period-scores-export": (lambda w: {"pk": w["period"].pk}, SECRETARY_AND_LEADER),
    # rankings and reminders
    "emulation:ranking-list": (lambda w: {}, EVERYONE),
    "emulation:ranking-unit": (lambda w: {"pk": w["org"].branch_a.pk}, UNIT_A_RECORD),
    "emulation:reminder-list": (lambda w: {}, EVERYONE),
    # dashboards, exports and the printable report
    "emulation:dashboard": (lambda w: {}, SECRETARY_AND_LEADER),
    "emulation:dashboard-cluster": (lambda w: {"pk": w["cluster"].pk}, SECRETARY_AND_LEADER),
    "emulation:dashboard-unit": (lambda w: {"pk": w["org"].branch_a.pk}, UNIT_A_RECORD),
    "emulation:dashboard-progress-export": (lambda w: {}, SECRETARY_AND_LEADER),
    "emulation:dashboard-targets-export": (lambda w: {}, SECRETARY_AND_LEADER),
    "emulation:period-report": (lambda w: {"pk": w["period"].pk}, SECRETARY_AND_LEADER),
    # Rankings are open to every role, and so are their exports.
    "emulation:ranking-export": (lambda w: {"pk": w["snapshot"].pk}, EVERYONE),
}

# Who may use each POST-only URL; everyone else must be refused (login, 403 or 404) and change nothing.
POST_ALLOWED = {
    "emulation:pledge-accept": {"secretary"},
    "emulation:pledge-return": {"secretary"},
    "emulation:pledge-reopen": {"secretary"},
    "emulation:covenant-confirm": {"officer"},
    "emulation:evidence-upload": {"officer"},
    "emulation:evidence-delete": {"officer"},
    "emulation:scoring-return": {"member"},
    "emulation:submission-scorer-add": {"secretary"},
    "emulation:submission-scorer-remove": {"secretary"},
    "emulation:submission-adjustment-add": {"secretary"},
    "emulation:period-scoring-settings": {"secretary"},
    "emulation:period-scorers-assign": {"secretary"},
    "emulation:period-finalise": {"secretary"},
    "emulation:period-reopen": {"secretary"},
    "logout": set(SIGNED_IN),
}


def url_names(resolver=None, namespace: str = "") -> list[str]:
    """Every named URL of the project except Django's admin (superusers only, tested by Django)."""
    names = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names.extend(url_names(pattern, prefix))
        elif pattern.name:
            names.append(namespace + pattern.name)
    return names


@pytest.fixture
def world(org, unit_officer, other_unit_officer, committee_member, secretary, leader):
    """Unit A's records in every state the URLs need, on 10/12/2026 (self-assessment open)."""
    movement = MovementFactory()
    area = TaskAreaFactory(movement=movement, number=4, max_points=20)
    criterion = CriterionFactory(task_area=area, code="4.1", measure="count", max_points=10, order=1)
    period = PeriodFactory(movement=movement, year=2026)
    cluster = ClusterFactory(year=2026)
    ClusterMembershipFactory(cluster=cluster, unit=org.branch_a, role="leader")
    conflicted = make_persona("conflicted", [Role.COMMITTEE_MEMBER], org.office_a)
    with at(datetime.date(2026, 12, 10)):
        pledge = start_pledge(org.branch_a, period, actor=unit_officer)
        submission = start_submission(org.branch_a, period, actor=unit_officer)
        SelfScore.objects.filter(submission=submission).update(achieved_value=Decimal(1), points=Decimal(1))
        submit_submission(submission, actor=unit_officer)
        assignment = assign_scorer(submission, member=committee_member, actor=secretary)
        # A member who has moved into unit A's line since being assigned: the conflict is re-checked.
        ScorerAssignment.objects.create(submission=submission, member=conflicted, assigned_by=secretary)
        evidence = Evidence(
            submission=submission,
            criterion=criterion,
            original_name="bao-cao.pdf",
            content_type="application/pdf",
            size=9,
            sha256="0" * 64,
            uploaded_by=unit_officer,
        )
        evidence.file.save("bao-cao.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
        evidence.save()
        snapshot = RankingSnapshot.objects.create(
            period=period, scope="movement", scope_key="movement", inputs_hash="0" * 64
        )
        yield {
            "snapshot": snapshot,
            "org": org,
            "period": period,
            "criterion": criterion,
            "cluster": cluster,
            "pledge": pledge,
            "submission": submission,
            "assignment": assignment,
            "evidence": evidence,
            "staff_a": StaffFactory(unit=org.office_a, full_name="Nguyễn Văn A"),
            "users": {
                "officer": unit_officer,
                "stranger": other_unit_officer,
                "member": committee_member,
                "conflicted": conflicted,
                "secretary": secretary,
                "leader": leader,
            },
        }


def table_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"units", "emulation", "awards"}
    }


# The awards pages landed in the same session as this matrix; their own tests check scope
# (tests/awards/test_nominations.py, test_council.py, test_decisions.py, test_eligibility_views.py,
# test_dashboard.py) but their rows here are still to be written. Listed by name, so that any
# other new URL without a row still fails.
AWARDS_ROWS_TO_WRITE = {
    "awards:award-revoke",
    "awards:dashboard",
    "awards:decision-create",
    "awards:decision-detail",
    "awards:decision-file",
    "awards:decision-list",
    "awards:eligibility-export",
    "awards:eligibility-list",
    "awards:nomination-create",
    "awards:nomination-detail",
    "awards:nomination-document-delete",
    "awards:nomination-document-file",
    "awards:nomination-document-upload",
    "awards:nomination-edit",
    "awards:nomination-list",
    "awards:nomination-mine",
    "awards:nomination-propose-flags",
    "awards:nomination-reject",
    "awards:nomination-screen",
    "awards:nomination-send",
    "awards:nomination-submit",
    "awards:nomination-supplement",
    "awards:session-attendance",
    "awards:session-close",
    "awards:session-create",
    "awards:session-detail",
    "awards:session-list",
    "awards:session-minutes",
    "awards:session-vote",
    "awards:session-written-vote",
}


def test_matrix_covers_every_url():
    missing = sorted(set(url_names()) - set(MATRIX) - AWARDS_ROWS_TO_WRITE)
    stale = sorted(set(MATRIX) - set(url_names()))

    assert missing == [], "add these URLs to MATRIX with the answer each role must get"
    assert stale == []


def test_matrix_get_answers_for_every_role(client, world):
    mismatches = []
    checked = 0
    for name, (kwargs, expected) in MATRIX.items():
        url = reverse(name, kwargs=kwargs(world))
        for persona in PERSONAS:
            client.logout()
            if persona != "anonymous":
                client.force_login(world["users"][persona])
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)  # read to the end, which closes the file
            checked += 1
            if response.status_code != expected[persona]:
                mismatches.append(
                    f"{name} as {persona}: {response.status_code}, expected {expected[persona]}"
                )
            elif persona == "anonymous" and name not in PUBLIC and response.status_code == 302:
                assert response["Location"].startswith(reverse("login"))

    record("authorization matrix: URL x role GET checks", checked)
    assert mismatches == []


def test_matrix_refused_posts_change_nothing(client, world):
    refused = 0
    for name, allowed in POST_ALLOWED.items():
        kwargs, _expected = MATRIX[name]
        url = reverse(name, kwargs=kwargs(world))
        for persona in PERSONAS:
            if persona in allowed:
                continue
            client.logout()
            if persona != "anonymous":
                client.force_login(world["users"][persona])
            before = table_counts()

            response = client.post(url, {"reason": "x", "unit": world["org"].branch_a.pk, "member": 1})

            assert response.status_code in (302, 403, 404), f"{name} as {persona}: {response.status_code}"
            if response.status_code == 302:
                assert persona == "anonymous", f"{name} as {persona} was accepted"
            assert table_counts() == before, f"{name} as {persona} changed rows"
            refused += 1

    record("authorization matrix: refused POSTs", refused)
