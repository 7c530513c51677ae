"""The redelivery bound of a dead worker's task, read from the settings (no broker needed).

kombu's Redis transport puts a task handed to a worker that died back in the queue once it is
older than `visibility_timeout`, during a sweep that every running worker makes when it starts
and then every `unacked_restore_interval` seconds when `unacked_restore_throttle` is 1. The kill
tests (test_job_faults.py, test_ranking_faults.py) measure it with shortened values.
"""

from django.conf import settings

from tests.test_settings import run_django


def test_a_dead_workers_task_comes_back_within_minutes_never_while_it_may_still_run():
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    visibility, interval = options["visibility_timeout"], options["unacked_restore_interval"]

    assert visibility > settings.CELERY_TASK_TIME_LIMIT  # a task still running is not handed out twice
    assert options["unacked_restore_throttle"] == 1  # every sweep scans: the interval alone sets the pace
    assert visibility + interval <= 10 * 60  # back in the queue within minutes, not the broker's hour
    assert options["unacked_mutex_expire"] <= visibility  # a worker killed mid-sweep blocks no longer


def test_a_restore_interval_below_one_second_is_refused_with_a_clear_message():
    result = run_django({"DEBUG": "true", "CELERY_UNACKED_RESTORE_INTERVAL": "0"}, "check")

    assert result.returncode != 0
    assert "CELERY_UNACKED_RESTORE_INTERVAL must be at least 1" in result.stderr
