"""Reminder emails: who gets what on which day, exactly once, failures kept and retried, the page."""

import datetime
import smtplib

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.urls import reverse

from config.celery import app as celery_app
from emulation.enums import ReminderStage
from emulation.models import ReminderLog
from emulation.services.reminders import (
    MAX_ATTEMPTS,
    is_transient,
    plan_reminders,
    run_reminders,
    send_due_reminders,
)
from emulation.tasks import send_reminders
from tests.conftest import make_persona
from tests.factories import (
    ClusterFactory,
    ClusterMembershipFactory,
    PledgeFactory,
    ScorerAssignmentFactory,
    StaffFactory,
    SubmissionFactory,
    UnitFactory,
    UserFactory,
)
from units.enums import Role

pytestmark = pytest.mark.django_db

# PeriodFactory 2026: pledging closes 31/01/2026, self-assessment 20/12/2026, scoring 15/01/2027.
PLEDGE_DEADLINE = datetime.date(2026, 1, 31)
T14, T7, T1 = datetime.date(2026, 1, 17), datetime.date(2026, 1, 24), datetime.date(2026, 1, 30)
DAY_AFTER = datetime.date(2026, 2, 1)


class FlakyBackend(LocmemBackend):
    """The outside SMTP server: drops the connection on the first `failures` sends, counts connections."""

    def __init__(self, *args, failures: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.failures = failures
        self.connections = 0
        self.is_open = False

    def open(self):
        if not self.is_open:
            self.is_open = True
            self.connections += 1
            return True
        return False

    def close(self):
        self.is_open = False

    def send_messages(self, messages):
        if self.failures > 0:
            self.failures -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


class DownBackend(LocmemBackend):
    """An SMTP server nobody answers for: every connection is refused."""

    connection_attempts = 0

    def open(self):
        DownBackend.connection_attempts += 1
        raise ConnectionRefusedError(111, "Connection refused")


class RefusingBackend(LocmemBackend):
    """A server that refuses the first recipient for good (550) and accepts the others."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.refused = False

    def send_messages(self, messages):
        if not self.refused:
            self.refused = True
            raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"No such user")})
        return super().send_messages(messages)


@pytest.fixture
def pledging(org, period, unit_officer, other_unit_officer):
    """Branches A and B take part in 2026; A has two officers and a draft, B submitted its pledge."""
    cluster = ClusterFactory(year=period.year)
    ClusterMembershipFactory(cluster=cluster, unit=org.branch_a)
    ClusterMembershipFactory(cluster=cluster, unit=org.branch_b)
    second_officer = make_persona("officer2", [Role.UNIT_OFFICER], org.branch_a)
    PledgeFactory(unit=org.branch_a, period=period, state="draft")
    PledgeFactory(unit=org.branch_b, period=period, state="submitted")
    return {"officers_a": [unit_officer, second_officer], "officer_b": other_unit_officer}


def head_of(unit, username: str):
    user = UserFactory(username=username)
    StaffFactory(user=user, unit=unit, is_leader=True, position="head", full_name=f"Trưởng {username}")
    return user


def sent_to() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.mark.parametrize(("today", "stage"), [(T14, "t-14"), (T7, "t-7"), (T1, "t-1")])
def test_reminder_goes_to_each_officer_of_a_unit_that_owes_on_each_offset(pledging, today, stage):
    counts = run_reminders(today)

    officers = pledging["officers_a"]
    assert sent_to() == sorted(officer.email for officer in officers)
    assert counts["sent"] == 2
    rows = ReminderLog.objects.all()
    assert {(row.stage, row.kind, row.recipient_id, row.subject_key) for row in rows} == {
        (stage, "pledge", officer.pk, f"unit:{officers[0].staff.unit_id}") for officer in officers
    }
    assert all(row.sent_at is not None and row.attempts == 1 for row in rows)


@pytest.mark.parametrize("today", [datetime.date(2026, 1, 16), datetime.date(2026, 1, 18), PLEDGE_DEADLINE])
def test_reminder_nothing_on_days_between_the_offsets(pledging, today):
    run_reminders(today)

    assert mail.outbox == []
    assert ReminderLog.objects.count() == 0


def test_reminder_unit_that_submitted_gets_nothing(pledging, org):
    run_reminders(T7)

    assert pledging["officer_b"].email not in sent_to()
    assert not ReminderLog.objects.filter(unit=org.branch_b).exists()


def test_reminder_unit_without_a_pledge_owes_one(pledging, org, period):
    office = UnitFactory(code="KV2-09", name="Hải quan cửa khẩu Lào Cai", parent=org.branch_b)
    ClusterMembershipFactory(cluster=ClusterFactory(year=period.year), unit=office)
    officer = make_persona("officer_lc", [Role.UNIT_OFFICER], office)

    run_reminders(T7)

    assert officer.email in sent_to()


def test_reminder_body_has_link_unit_deadline_and_days_left(pledging, org):
    run_reminders(T7)

    message = mail.outbox[0]
    html, content_type = message.alternatives[0]
    link = settings.SITE_URL + reverse("emulation:pledge-mine")
    assert content_type == "text/html"
    assert message.subject.strip()
    assert "\n" not in message.subject
    for body in (message.body, html):
        assert link in body
        assert org.branch_a.name in body
        assert "31/01/2026" in body
        assert "7" in body
    assert message.extra_headers["Message-ID"].startswith("<reminder.")
    assert ReminderLog.objects.first().link == link


def test_reminder_overdue_goes_to_the_head_and_late_list_to_each_secretary(pledging, org, secretary):
    head = head_of(org.branch_a, "truong_a")
    head_of(org.branch_b, "truong_b")
    second_secretary = UserFactory(username="secretary2", roles=[Role.COMMITTEE_SECRETARY])

    run_reminders(DAY_AFTER)

    assert sent_to() == sorted([head.email, secretary.email, second_secretary.email])
    overdue = ReminderLog.objects.get(stage=ReminderStage.OVERDUE)
    assert (overdue.recipient, overdue.unit) == (head, org.branch_a)
    late_lists = [message for message in mail.outbox if secretary.email in message.to]
    assert len(late_lists) == 1
    body = late_lists[0].body
    assert org.branch_a.name in body
    assert org.branch_b.name not in body
    assert settings.SITE_URL + reverse("emulation:pledge-list") in body


def test_reminder_overdue_falls_back_to_the_officers_without_a_head(pledging, secretary):
    run_reminders(DAY_AFTER)

    overdue = ReminderLog.objects.filter(stage=ReminderStage.OVERDUE)
    assert sorted(row.email for row in overdue) == sorted(o.email for o in pledging["officers_a"])


def test_reminder_overdue_still_sent_when_the_first_day_after_was_missed(pledging, secretary):
    run_reminders(DAY_AFTER + datetime.timedelta(days=3))

    assert ReminderLog.objects.filter(stage=ReminderStage.OVERDUE).count() == 2
    assert ReminderLog.objects.filter(stage=ReminderStage.LATE_LIST).count() == 1

    run_reminders(DAY_AFTER + datetime.timedelta(days=4))

    assert len(mail.outbox) == 3


def test_reminder_rerun_the_same_day_sends_nothing_more(pledging, secretary):
    run_reminders(DAY_AFTER)
    outbox, rows = len(mail.outbox), ReminderLog.objects.count()

    again = run_reminders(DAY_AFTER)
    plan_reminders(DAY_AFTER)
    send_due_reminders(today=DAY_AFTER)

    assert len(mail.outbox) == outbox == 3
    assert ReminderLog.objects.count() == rows
    assert (again["decided"], again["already_decided"], again["sent"]) == (0, 3, 0)


def test_reminder_task_rerun_and_redelivery_send_nothing_twice(pledging):
    first = send_reminders.delay(today=T1.isoformat()).get()
    second = send_reminders.delay(today=T1.isoformat()).get()

    assert (first["sent"], second["sent"]) == (2, 0)
    assert len(mail.outbox) == 2


def test_reminder_failed_send_is_kept_with_its_error_and_sent_once_next_run(pledging):
    flaky = FlakyBackend(failures=1)

    first = run_reminders(T7, connection=flaky)

    failed = ReminderLog.objects.get(sent_at__isnull=True)
    assert (first["sent"], first["failed"], first["transient"]) == (1, 1, True)
    assert failed.attempts == 1
    assert "SMTPServerDisconnected" in failed.last_error
    assert len(mail.outbox) == 1

    second = run_reminders(T7)

    failed.refresh_from_db()
    assert (second["sent"], second["decided"]) == (1, 0)
    assert failed.sent_at is not None
    assert (failed.attempts, failed.last_error) == (2, "")
    assert sent_to() == sorted(o.email for o in pledging["officers_a"])


def test_reminder_gives_up_after_the_maximum_attempts_and_shows_as_failed(pledging):
    plan_reminders(T7)
    for _run in range(MAX_ATTEMPTS + 2):
        send_due_reminders(today=T7, connection=FlakyBackend(failures=100))

    rows = ReminderLog.objects.all()
    assert [row.attempts for row in rows] == [MAX_ATTEMPTS, MAX_ATTEMPTS]
    assert all(row.sent_at is None and row.last_error for row in rows)
    assert mail.outbox == []


def test_reminder_unreachable_server_stops_the_run_without_using_up_attempts(pledging):
    counts = run_reminders(T7, connection=DownBackend())

    rows = ReminderLog.objects.all()
    assert (counts["sent"], counts["failed"], counts["transient"], counts["stopped_early"]) == (
        0,
        0,
        True,
        True,
    )
    assert [row.attempts for row in rows] == [0, 0]
    assert "Connection refused" in rows.order_by("pk").first().last_error
    assert all(row.sent_at is None for row in rows)


def test_reminder_task_retries_while_the_server_is_down_and_keeps_the_reminders(pledging, settings):
    settings.EMAIL_BACKEND = f"{__name__}.DownBackend"
    DownBackend.connection_attempts = 0

    # Eager without propagation runs the retries in-process, the countdown skipped (the
    # autouse eager fixture restores the setting).
    celery_app.conf.task_eager_propagates = False
    counts = send_reminders.delay(today=T7.isoformat()).get()

    assert DownBackend.connection_attempts == 1 + send_reminders.max_retries
    assert (counts["sent"], counts["transient"]) == (0, True)
    assert ReminderLog.objects.filter(sent_at__isnull=True, attempts=0).count() == 2

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = send_reminders.delay(today=T7.isoformat()).get()

    assert later["sent"] == 2
    assert len(mail.outbox) == 2


def test_reminder_permanent_refusal_counts_an_attempt_and_the_run_goes_on(pledging):
    counts = run_reminders(T7, connection=RefusingBackend())

    refused = ReminderLog.objects.get(sent_at__isnull=True)
    assert (counts["sent"], counts["failed"], counts["transient"]) == (1, 1, False)
    assert refused.attempts == 1
    assert "550" in refused.last_error


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (smtplib.SMTPServerDisconnected("gone"), True),
        (smtplib.SMTPDataError(451, b"try later"), True),
        (smtplib.SMTPDataError(554, b"rejected"), False),
        (smtplib.SMTPRecipientsRefused({"a@b.vn": (450, b"busy")}), True),
        (smtplib.SMTPRecipientsRefused({"a@b.vn": (550, b"unknown")}), False),
        (smtplib.SMTPAuthenticationError(535, b"bad password"), False),
        (TimeoutError("timed out"), True),
        (ConnectionRefusedError(111, "refused"), True),
    ],
)
def test_reminder_transient_errors_are_told_from_permanent_ones(error, transient):
    assert is_transient(error) is transient


def test_reminder_run_uses_one_smtp_connection(pledging, org, secretary):
    head_of(org.branch_a, "truong_a")
    backend = FlakyBackend()

    run_reminders(T7, connection=backend)
    run_reminders(DAY_AFTER, connection=backend)

    assert backend.connections == 2
    assert len(mail.outbox) == 4


def test_reminder_recipient_without_an_address_is_skipped_and_others_still_get_theirs(pledging, caplog):
    silent = pledging["officers_a"][1]
    silent.email = ""
    silent.save()

    counts = run_reminders(T7)

    assert counts["without_address"] == 1
    assert sent_to() == [pledging["officers_a"][0].email]
    assert "no email address" in caplog.text


def test_reminder_staff_email_is_used_when_the_account_has_none(pledging):
    officer = pledging["officers_a"][1]
    officer.email = ""
    officer.save()
    officer.staff.email = "can.bo@haiquan.example"
    officer.staff.save()

    run_reminders(T7)

    assert "can.bo@haiquan.example" in sent_to()


def test_reminder_self_assessment_goes_to_units_not_submitted(pledging, org, period):
    SubmissionFactory(unit=org.branch_a, period=period, state="returned")
    SubmissionFactory(unit=org.branch_b, period=period, state="submitted")

    run_reminders(datetime.date(2026, 12, 13))

    assert sent_to() == sorted(o.email for o in pledging["officers_a"])
    message = mail.outbox[0]
    assert settings.SITE_URL + reverse("emulation:submission-mine") in message.body
    assert "20/12/2026" in message.body
    assert {row.kind for row in ReminderLog.objects.all()} == {"self_assessment"}


def test_reminder_scoring_goes_to_members_with_unfinished_assignments(
    pledging, org, period, committee_member
):
    done_member = make_persona("member_done", [Role.COMMITTEE_MEMBER], org.branch_b)
    submission = SubmissionFactory(unit=org.branch_a, period=period, state="under_review")
    ScorerAssignmentFactory(submission=submission, member=committee_member)
    ScorerAssignmentFactory(
        submission=submission,
        member=done_member,
        completed_at=datetime.datetime(2027, 1, 2, tzinfo=datetime.UTC),
    )

    run_reminders(datetime.date(2027, 1, 14))

    scoring = ReminderLog.objects.get(kind="scoring")
    assert (scoring.recipient, scoring.stage, scoring.subject_key) == (committee_member, "t-1", "all")
    assert done_member.email not in sent_to()
    [message] = [message for message in mail.outbox if message.to == [committee_member.email]]
    body = message.body
    assert org.branch_a.name in body
    assert "15/01/2027" in body
    assert settings.SITE_URL + reverse("emulation:scoring-queue") in body


def test_reminder_nothing_for_a_finalised_period(pledging, period):
    period.is_finalised = True
    period.save()

    run_reminders(T7)

    assert mail.outbox == []


def test_reminder_offsets_come_from_settings(pledging, settings):
    settings.REMINDER_OFFSETS_DAYS = [3]

    run_reminders(T7)
    assert mail.outbox == []

    run_reminders(datetime.date(2026, 1, 28))
    assert {row.stage for row in ReminderLog.objects.all()} == {"t-3"}
    assert len(mail.outbox) == 2


def test_reminder_command_dry_run_lists_and_writes_nothing(pledging, capsys):
    call_command("send_reminders", "--dry-run", "--date", T7.isoformat())

    out = capsys.readouterr().out
    assert ReminderLog.objects.count() == 0
    assert mail.outbox == []
    assert out.count("t-7\tpledge") == 2
    assert "31/01/2026" in out
    assert pledging["officers_a"][0].email in out


def test_reminder_command_runs_and_prints_counts(pledging, capsys):
    call_command("send_reminders", "--date", T7.isoformat())

    assert "2 sent" in capsys.readouterr().out
    assert len(mail.outbox) == 2


def test_reminder_command_refuses_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--date", "31/01/2026")


# --- The page ---------------------------------------------------------------------------------


def test_reminder_page_shows_users_only_their_own(client, pledging, unit_officer):
    run_reminders(T7)
    client.force_login(unit_officer)

    response = client.get(reverse("emulation:reminder-list"))

    rows = list(response.context["page"].object_list)
    assert response.status_code == 200
    assert [row.recipient_id for row in rows] == [unit_officer.pk]
    assert ReminderLog.objects.exclude(recipient=unit_officer).exists()
    assert pledging["officers_a"][1].email not in response.content.decode()


def test_reminder_page_secretary_sees_all_and_filters(client, pledging, secretary, org):
    head_of(org.branch_a, "truong_a")
    run_reminders(T7)
    run_reminders(DAY_AFTER)
    ReminderLog.objects.filter(stage="t-7").update(sent_at=None, attempts=MAX_ATTEMPTS, last_error="boom")
    client.force_login(secretary)
    url = reverse("emulation:reminder-list")

    everything = client.get(url)
    overdue = client.get(url, {"stage": "overdue"})
    failed = client.get(url, {"status": "failed"})
    nonsense = client.get(url, {"stage": "x", "status": "y", "kind": "z", "page": "abc"})

    assert everything.context["page"].paginator.count == 4
    assert [row.stage for row in overdue.context["page"]] == ["overdue"]
    assert {row.stage for row in failed.context["page"]} == {"t-7"}
    assert everything.context["counts"] == {"total": 4, "sent": 2, "pending": 0, "failed": 2}
    assert nonsense.status_code == 200
    assert nonsense.context["page"].paginator.count == 4


def make_reminders(period, user, count: int) -> None:
    unit = UnitFactory(code="RM")
    ReminderLog.objects.bulk_create(
        ReminderLog(
            period=period,
            kind="pledge",
            stage=stage,
            deadline=PLEDGE_DEADLINE,
            recipient=user,
            email=user.email,
            unit=unit,
            subject_key=f"unit:{unit.pk}:{index}",
            subject=f"Nhắc việc {index}",
        )
        for index, stage in zip(range(count), ["t-14", "t-7", "t-1"] * count, strict=False)
    )


@pytest.mark.parametrize("count", [1, 3])
def test_reminder_page_own_list_query_count_does_not_grow(
    client, period, unit_officer, django_assert_num_queries, count
):
    make_reminders(period, unit_officer, count)
    client.force_login(unit_officer)

    # session, user, roles, page count, page rows (with unit and period)
    with django_assert_num_queries(5):
        response = client.get(reverse("emulation:reminder-list"))

    assert len(response.context["page"].object_list) == count


@pytest.mark.parametrize("count", [1, 3])
def test_reminder_page_secretary_list_query_count_does_not_grow(
    client, period, secretary, unit_officer, django_assert_num_queries, count
):
    make_reminders(period, unit_officer, count)
    client.force_login(secretary)

    # session, user, roles, periods, counts, page count, page rows (with unit and recipient)
    with django_assert_num_queries(7):
        response = client.get(reverse("emulation:reminder-list"), {"status": "pending"})

    assert len(response.context["page"].object_list) == count
