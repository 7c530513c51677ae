"""The eligibility engine, rule by rule, as tables: cases that pass, cases that fail at each condition
(with every failed condition named by its reason code), and the edges named by issue 8.

Pure unit tests: no database. Assertions compare reason codes, never translated text.
"""

import dataclasses
import json
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from django.utils import translation

from awards.eligibility import (
    DECREE_98_2023,
    DECREE_152_2025,
    PARAMETER_SOURCES,
    AwardClaim,
    Code,
    DisciplineFact,
    HeldTitle,
    InitiativeFact,
    ParameterError,
    PersonHistory,
    PersonYear,
    Reason,
    RuleParams,
    RunRequirement,
    UnitHistory,
    UnitYear,
    Verdict,
    apply_cstdcs_quota,
    apply_ttldxs_quota,
    best_titles_for_person,
    best_titles_for_unit,
    check_person,
    check_unit,
    council_vote_passes,
    dossier_complete,
    government_flag_candidates,
    is_ad_hoc_excluded,
    ladder_position,
    one_achievement_one_award,
    params_in_force,
    rating_quota_ok,
    reward_amount,
    select_ministry_flags,
    tie_break_key,
)
from awards.eligibility import facts as facts_module
from awards.eligibility.rules import counting_from, effective_rating
from awards.eligibility.verdicts import MESSAGES

pytestmark = pytest.mark.unit

P = DECREE_152_2025
EVERYTHING = frozenset(Code)
Y = 2023


# --- builders ---------------------------------------------------------------------------------------


def initiative(year, level="unit", *, nationwide=False, science=False, month=6):
    return InitiativeFact(
        level=level,
        recognised_on=date(year, month, 15),
        has_nationwide_effect=nationwide,
        is_science_work=science,
    )


def py(year, rating="good", *, months=12, maternity=0, initiatives=(), titles=(), registered=EVERYTHING):
    held = tuple(HeldTitle(code) if isinstance(code, str) else code for code in titles)
    return PersonYear(
        year=year,
        rating=rating,
        months_worked=months,
        maternity_leave_months=maternity,
        initiatives=tuple(initiatives),
        titles=held,
        registered_titles=registered,
    )


def person(*years, disciplines=(), reviews=(), gender="male", staff_id=1):
    return PersonHistory(
        staff_id=staff_id,
        gender=gender,
        unit_id=10,
        years={record.year: record for record in years},
        disciplines=tuple(disciplines),
        open_reviews=frozenset(reviews),
    )


def discipline(start, end=None, level="reprimand"):
    return DisciplineFact(
        level=level, start=date.fromisoformat(start), end=date.fromisoformat(end) if end else None
    )


def uy(
    year=Y,
    rating="excellent",
    *,
    members=10,
    completed=10,
    ldtt=8,
    cstdcs=1,
    women=3,
    disciplined=(),
    cluster="C1",
    position=1,
    targets=True,
    titles=(),
    registered=EVERYTHING,
):
    held = tuple(HeldTitle(code) if isinstance(code, str) else code for code in titles)
    return UnitYear(
        year=year,
        rating=rating,
        members=members,
        members_at_least_completed=completed,
        members_with_ldtt=ldtt,
        members_with_cstdcs=cstdcs,
        women_members=women,
        disciplined_member_levels=tuple(disciplined),
        cluster_id=cluster,
        ranking_position=position,
        all_targets_met=targets,
        titles=held,
        registered_titles=registered,
    )


def unit(*years, reviews=(), dissolved_on=None, successor=False, unit_id=1):
    return UnitHistory(
        unit_id=unit_id,
        years={record.year: record for record in years},
        open_reviews=frozenset(reviews),
        dissolved_on=dissolved_on,
        has_successor=successor,
    )


def with_params(**changes):
    return dataclasses.replace(P, **changes)


def assert_fails(verdict, expected_codes):
    assert verdict.eligible is False
    assert sorted(verdict.codes) == sorted(expected_codes)
    assert all(not reason.met for reason in verdict.reasons)


def assert_passes(verdict, expected_grounds=()):
    assert verdict.eligible is True, verdict.codes
    assert set(expected_grounds) <= set(verdict.codes)
    assert all(reason.met for reason in verdict.reasons)


# --- rule 1: LĐTT -----------------------------------------------------------------------------------

LDTT_CASES = [
    (
        "good",
        person(py(Y, "good")),
        P,
        True,
        ["ok_rating", "ok_no_discipline", "ok_months_counted", "ok_registered"],
    ),
    ("excellent", person(py(Y, "excellent")), P, True, ["ok_rating"]),
    ("completed", person(py(Y, "completed")), P, False, ["rating_too_low"]),
    ("not completed", person(py(Y, "not_completed")), P, False, ["rating_too_low"]),
    ("no rating", person(py(Y, None)), P, False, ["no_rating"]),
    ("10 months exactly", person(py(Y, months=10)), P, True, ["ok_months_counted"]),
    ("9 months", person(py(Y, months=9)), P, False, ["months_counted_short"]),
    ("8 months + 2 maternity", person(py(Y, months=8, maternity=2)), P, True, ["ok_months_counted"]),
    ("maternity all year", person(py(Y, months=0, maternity=12)), P, True, ["ok_months_counted"]),
    ("7 months + 2 maternity", person(py(Y, months=7, maternity=2)), P, False, ["months_counted_short"]),
    (
        "reprimand during the year",
        person(py(Y), disciplines=[discipline("2023-03-01", "2023-09-01")]),
        P,
        False,
        ["rating_forced_by_discipline", "discipline_in_year"],
    ),
    (
        "discipline ended the year before",
        person(py(Y), disciplines=[discipline("2022-01-10", "2022-12-31")]),
        P,
        True,
        [],
    ),
    (
        "discipline starts the year after",
        person(py(Y), disciplines=[discipline("2024-01-10", "2024-06-30")]),
        P,
        True,
        [],
    ),
    (
        "discipline not ended",
        person(py(Y), disciplines=[discipline("2022-05-01")]),
        P,
        False,
        ["rating_forced_by_discipline", "discipline_in_year"],
    ),
    (
        "discipline ending on 1 January",
        person(py(Y), disciplines=[discipline("2022-05-01", "2023-01-01")]),
        P,
        False,
        ["rating_forced_by_discipline", "discipline_in_year"],
    ),
    (
        "every condition fails",
        person(py(Y, "completed", months=5), disciplines=[discipline("2023-02-01", "2023-04-01", "warning")]),
        P,
        False,
        ["rating_forced_by_discipline", "discipline_in_year", "months_counted_short"],
    ),
    (
        "reprimand below a warning threshold still forces the rating (rule 17)",
        person(py(Y, "excellent"), disciplines=[discipline("2023-03-01", "2023-04-01")]),
        with_params(ldtt_discipline_min_level="warning"),
        False,
        ["rating_forced_by_discipline"],
    ),
    (
        "12 months required",
        person(py(Y, months=11)),
        with_params(ldtt_min_months_worked=12),
        False,
        ["months_counted_short"],
    ),
    ("open investigation", person(py(Y), reviews=["investigation"]), P, False, ["open_review"]),
    (
        "open complaint and inspection",
        person(py(Y), reviews=["complaint", "inspection"]),
        P,
        False,
        ["open_review"],
    ),
    ("not registered", person(py(Y, registered=())), P, False, ["not_registered"]),
    ("registered for a higher title", person(py(Y, registered={"CSTDCS"})), P, True, ["ok_registered"]),
    (
        "registered for a collective title only",
        person(py(Y, registered={"TTLDTT"})),
        P,
        False,
        ["not_registered"],
    ),
    (
        "registration switched off",
        person(py(Y, registered=())),
        with_params(registration_required=False),
        True,
        ["ok_rating"],
    ),
    ("no record for the year", person(), P, False, ["no_rating", "months_counted_short", "not_registered"]),
]


@pytest.mark.parametrize(
    ("history", "params", "eligible", "codes"),
    [case[1:] for case in LDTT_CASES],
    ids=[case[0] for case in LDTT_CASES],
)
def test_ldtt_rule_1(history, params, eligible, codes):
    verdict = check_person(history, Code.LDTT, Y, params)

    if eligible:
        assert_passes(verdict, codes)
    else:
        assert_fails(verdict, codes)
    assert verdict.subject == 1
    assert verdict.title_code == "LDTT"
    assert verdict.year == Y


def test_ldtt_rule_refs_name_rules_1_13_17_and_20():
    disciplined = person(
        py(Y, registered=()), disciplines=[discipline("2023-03-01", "2023-04-01")], reviews=["inspection"]
    )

    verdict = check_person(disciplined, Code.LDTT, Y, P)

    assert verdict.rule_refs == ("R1", "R13", "R17", "R20")


# --- rule 17 and rule 13 helpers ----------------------------------------------------------------------

EFFECTIVE_RATING_CASES = [
    ("no discipline", [], "excellent", "excellent"),
    ("reprimand in the year", [discipline("2023-05-01", "2023-05-31")], "excellent", "not_completed"),
    ("dismissal in the year", [discipline("2023-05-01", None, "dismissal")], "good", "not_completed"),
    ("discipline of another year", [discipline("2021-05-01", "2022-05-31")], "good", "good"),
    ("no rating, no discipline", [], None, None),
]


@pytest.mark.parametrize(
    ("disciplines", "recorded", "effective"),
    [case[1:] for case in EFFECTIVE_RATING_CASES],
    ids=[case[0] for case in EFFECTIVE_RATING_CASES],
)
def test_effective_rating_rule_17(disciplines, recorded, effective):
    history = person(py(Y, recorded), disciplines=disciplines)

    assert effective_rating(history, Y) == effective


COUNTING_CASES = [
    ("no discipline", [], None),
    ("ended 30/06/2023: counts from 2024", [discipline("2022-07-01", "2023-06-30")], 2024),
    ("ended 31/12/2022: counts from 2023", [discipline("2022-07-01", "2022-12-31")], 2023),
    ("not ended: nothing up to the judged year counts", [discipline("2021-07-01")], 2024),
    (
        "latest end wins",
        [discipline("2019-01-01", "2019-06-30"), discipline("2021-01-01", "2021-03-01")],
        2022,
    ),
    (
        "a discipline starting after the judged year is ignored",
        [discipline("2024-02-01", "2024-06-30")],
        None,
    ),
]


@pytest.mark.parametrize(
    ("disciplines", "first_year"),
    [case[1:] for case in COUNTING_CASES],
    ids=[case[0] for case in COUNTING_CASES],
)
def test_counting_from_rule_13(disciplines, first_year):
    history = person(disciplines=disciplines)

    assert counting_from(history, 2023)[0] == first_year


# --- rule 2: CSTĐCS ----------------------------------------------------------------------------------

CSTDCS_CASES = [
    ("excellent", person(py(Y, "excellent")), P, True, ["ok_excellent", "ok_prerequisite"]),
    ("good + unit initiative", person(py(Y, initiatives=[initiative(Y)])), P, True, ["ok_initiative"]),
    (
        "good + ministry initiative",
        person(py(Y, initiatives=[initiative(Y, "ministry")])),
        P,
        True,
        ["ok_initiative"],
    ),
    (
        "good + science work",
        person(py(Y, initiatives=[initiative(Y, science=True)])),
        P,
        True,
        ["ok_science_work"],
    ),
    ("good, nothing else", person(py(Y)), P, False, ["no_cstdcs_ground"]),
    (
        "initiative recognised the year before",
        person(py(2022, initiatives=[initiative(2022)]), py(Y)),
        P,
        False,
        ["no_cstdcs_ground"],
    ),
    (
        "completed + initiative: not LĐTT",
        person(py(Y, "completed", initiatives=[initiative(Y)])),
        P,
        False,
        ["prerequisite_missing", "rating_too_low"],
    ),
    (
        "excellent, 9 months",
        person(py(Y, "excellent", months=9)),
        P,
        False,
        ["prerequisite_missing", "months_counted_short"],
    ),
    (
        "excellent but disciplined",
        person(py(Y, "excellent"), disciplines=[discipline("2023-10-01", "2024-03-31")]),
        P,
        False,
        ["prerequisite_missing", "rating_forced_by_discipline", "discipline_in_year", "no_cstdcs_ground"],
    ),
    (
        "unit initiative when ministry level is required",
        person(py(Y, initiatives=[initiative(Y)])),
        with_params(cstdcs_initiative_min_level="ministry"),
        False,
        ["no_cstdcs_ground"],
    ),
    (
        "registered for LĐTT only",
        person(py(Y, registered={"LDTT"})),
        P,
        False,
        ["not_registered", "no_cstdcs_ground"],
    ),
    (
        "excellent, open complaint",
        person(py(Y, "excellent"), reviews=["complaint"]),
        P,
        False,
        ["open_review"],
    ),
]


@pytest.mark.parametrize(
    ("history", "params", "eligible", "codes"),
    [case[1:] for case in CSTDCS_CASES],
    ids=[case[0] for case in CSTDCS_CASES],
)
def test_cstdcs_rule_2(history, params, eligible, codes):
    verdict = check_person(history, Code.CSTDCS, Y, params)

    if eligible:
        assert_passes(verdict, codes)
    else:
        assert_fails(verdict, codes)


# --- rule 3: CSTĐ cấp Bộ -----------------------------------------------------------------------------


def cstdcs_run(held=(2021, 2022, 2023), *, initiative_year=2022, level="ministry", extra=None, **kwargs):
    """A person rated excellent 2019–2023 holding CSTĐCS in `held`, with one initiative."""
    extra = extra or {}
    records = []
    for year in range(2019, 2024):
        titles = list(extra.get(year, ()))
        if year in held:
            titles.append("CSTDCS")
        initiatives = [initiative(year, level)] if year == initiative_year else []
        rating = "good" if year not in held and year != Y else "excellent"
        records.append(py(year, rating, initiatives=initiatives, titles=titles))
    return person(*records, **kwargs)


def run_without_2023(*, rating_2023="excellent", **kwargs):
    history = cstdcs_run(held=(2021, 2022), **kwargs)
    years = dict(history.years)
    years[Y] = py(Y, rating_2023)
    return dataclasses.replace(history, years=years)


CSTD_BO_CASES = [
    ("full run with a ministry initiative", cstdcs_run(), P, True, ["ok_run", "ok_run_initiative"]),
    ("run broken by a missing 2022", cstdcs_run(held=(2021, 2023)), P, False, ["run_year_missing"]),
    ("run broken by a missing 2021", cstdcs_run(held=(2022, 2023)), P, False, ["run_year_missing"]),
    (
        "three titles but not consecutive",
        cstdcs_run(held=(2020, 2021, 2023)),
        P,
        False,
        ["run_year_missing"],
    ),
    ("only a unit-level initiative", cstdcs_run(level="unit"), P, False, ["no_initiative_in_run"]),
    (
        "ministry initiative before the run",
        cstdcs_run(initiative_year=2020),
        P,
        False,
        ["no_initiative_in_run"],
    ),
    ("national initiative", cstdcs_run(level="national"), P, True, ["ok_run_initiative"]),
    ("2023 eligible but not yet held", run_without_2023(), P, True, ["ok_run"]),
    (
        "2023 eligible, judged on held titles only",
        run_without_2023(),
        with_params(current_year_by_eligibility=False),
        False,
        ["run_year_missing"],
    ),
    (
        "2023 neither held nor eligible",
        run_without_2023(rating_2023="good"),
        P,
        False,
        ["run_year_missing", "no_cstdcs_ground"],
    ),
    (
        "2021 and 2022 already used for CSTĐ cấp Bộ 2022",
        cstdcs_run(held=(2020, 2021, 2022, 2023), extra={2022: ["CSTD_BO"]}),
        P,
        False,
        ["year_used", "year_used"],
    ),
    (
        "used run allowed again by parameter",
        cstdcs_run(held=(2020, 2021, 2022, 2023), extra={2022: ["CSTD_BO"]}),
        with_params(cstd_bo_run_reusable=True),
        True,
        ["ok_run"],
    ),
    (
        "CSTĐCS 2021 marked as used",
        cstdcs_run(held=(2022, 2023), extra={2021: [HeldTitle("CSTDCS", used_for={"CSTD_BO"})]}),
        P,
        False,
        ["title_marked_used"],
    ),
    ("earlier CSTĐ cấp Bộ 2020 does not overlap", cstdcs_run(extra={2020: ["CSTD_BO"]}), P, True, ["ok_run"]),
    (
        "the judged year's own award does not use the run",
        cstdcs_run(extra={2023: ["CSTD_BO"]}),
        P,
        True,
        ["ok_run"],
    ),
    (
        "thematic CSTĐCS 2022 does not count (rule 14)",
        cstdcs_run(held=(2021, 2023), extra={2022: [HeldTitle("CSTDCS", thematic=True)]}),
        P,
        False,
        ["run_year_missing"],
    ),
    (
        "discipline ending 30/06/2023: 2021–2023 do not count",
        cstdcs_run(disciplines=[discipline("2023-02-01", "2023-06-30")]),
        P,
        False,
        ["before_discipline_end"] * 3 + ["no_initiative_in_run"],
    ),
    (
        "discipline not ended",
        cstdcs_run(disciplines=[discipline("2023-05-01")]),
        P,
        False,
        ["discipline_not_ended"] * 3 + ["no_initiative_in_run"],
    ),
    (
        "run of 2 years by parameter",
        cstdcs_run(held=(2022, 2023)),
        with_params(cstd_bo_run_years=2),
        True,
        ["ok_run"],
    ),
    (
        "not registered, open review",
        cstdcs_run(reviews=["discipline_review"]),
        P,
        False,
        ["open_review"],
    ),
]


@pytest.mark.parametrize(
    ("history", "params", "eligible", "codes"),
    [case[1:] for case in CSTD_BO_CASES],
    ids=[case[0] for case in CSTD_BO_CASES],
)
def test_cstd_bo_rule_3(history, params, eligible, codes):
    verdict = check_person(history, Code.CSTD_BO, Y, params)

    if eligible:
        assert_passes(verdict, codes)
    else:
        assert_fails(verdict, codes)


def test_cstd_bo_missing_year_reason_names_the_year_and_the_run():
    verdict = check_person(cstdcs_run(held=(2021, 2023)), Code.CSTD_BO, Y, P)

    (reason,) = verdict.reasons
    assert reason.params == {
        "prerequisite": "CSTDCS",
        "year": 2022,
        "first": 2021,
        "last": 2023,
        "title": "CSTD_BO",
    }
    assert reason.rule == "R3"


def mid_year_discipline_person():
    """CSTĐCS 2020–2021, disciplined 10/01/2022–30/06/2023, then CSTĐCS 2024–2026."""
    records = [py(year, "excellent", titles=["CSTDCS"]) for year in (2020, 2021)]
    records += [py(2022, "not_completed"), py(2023, "excellent")]
    records += [
        py(
            year,
            "excellent",
            titles=["CSTDCS"],
            initiatives=[initiative(year, "ministry")] if year == 2025 else [],
        )
        for year in (2024, 2025, 2026)
    ]
    return person(*records, disciplines=[discipline("2022-01-10", "2023-06-30", "warning")])


MID_YEAR_CASES = [
    (Code.LDTT, 2023, False, ["rating_forced_by_discipline", "discipline_in_year"]),
    (Code.LDTT, 2024, True, []),
    (Code.CSTD_BO, 2025, False, ["before_discipline_end", "run_year_missing"]),
    (Code.CSTDCS, 2024, True, ["ok_excellent"]),
    (Code.CSTD_BO, 2026, True, ["ok_run", "ok_run_initiative"]),
]


@pytest.mark.parametrize(("code", "year", "eligible", "codes"), MID_YEAR_CASES)
def test_discipline_ending_mid_year_counts_from_the_next_year(code, year, eligible, codes):
    verdict = check_person(mid_year_discipline_person(), code, year, P)

    if eligible:
        assert_passes(verdict, codes)
    else:
        assert_fails(verdict, codes)


# --- rule 4: CSTĐ toàn quốc --------------------------------------------------------------------------


def national_person(bo_years=(2020, 2023), *, nationwide_year=2021, level="ministry", flag=True, extra=None):
    extra = extra or {}
    records = []
    for year in range(2016, 2024):
        titles = list(extra.get(year, ()))
        if year in bo_years:
            titles.append("CSTD_BO")
        initiatives = [initiative(year, level, nationwide=flag)] if year == nationwide_year else []
        records.append(py(year, "excellent", titles=titles, initiatives=initiatives))
    return person(*records)


def national_person_without_bo_2023(cstdcs_years):
    history = national_person(bo_years=(2020,), extra={year: ["CSTDCS"] for year in cstdcs_years})
    years = dict(history.years)
    years[2022] = dataclasses.replace(years[2022], initiatives=(initiative(2022, "ministry"),))
    return dataclasses.replace(history, years=years)


CSTD_TQ_CASES = [
    (
        "two consecutive + nationwide initiative",
        national_person(),
        P,
        True,
        ["ok_run", "ok_nationwide_initiative"],
    ),
    ("first CSTĐ cấp Bộ missing", national_person(bo_years=(2023,)), P, False, ["prerequisite_missing"]),
    (
        "not consecutive (2021 and 2023)",
        national_person(bo_years=(2021, 2023)),
        P,
        False,
        ["prerequisite_missing"],
    ),
    (
        "initiative without nationwide effect",
        national_person(flag=False),
        P,
        False,
        ["no_nationwide_initiative"],
    ),
    (
        "national-level initiative",
        national_person(level="national", flag=False),
        P,
        True,
        ["ok_nationwide_initiative"],
    ),
    (
        "nationwide initiative before both runs",
        national_person(nationwide_year=2017),
        P,
        False,
        ["no_nationwide_initiative"],
    ),
    (
        "CSTĐ cấp Bộ 2020 already used for CSTĐ toàn quốc 2020",
        national_person(bo_years=(2017, 2020, 2023), extra={2020: ["CSTD_TQ"]}),
        P,
        False,
        ["year_used"],
    ),
    (
        "2023 CSTĐ cấp Bộ eligible now",
        national_person_without_bo_2023((2021, 2022, 2023)),
        P,
        True,
        ["ok_run"],
    ),
    (
        "2023 CSTĐ cấp Bộ neither held nor eligible",
        national_person_without_bo_2023((2021, 2023)),
        P,
        False,
        ["prerequisite_missing", "run_year_missing"],
    ),
]


@pytest.mark.parametrize(
    ("history", "params", "eligible", "codes"),
    [case[1:] for case in CSTD_TQ_CASES],
    ids=[case[0] for case in CSTD_TQ_CASES],
)
def test_cstd_tq_rule_4(history, params, eligible, codes):
    verdict = check_person(history, Code.CSTD_TQ, Y, params)

    if eligible:
        assert_passes(verdict, codes)
    else:
        assert_fails(verdict, codes)


# --- rule 5: council vote ----------------------------------------------------------------------------

VOTE_CASES = [
    ("CSTĐCS 8/10 = 80 %", Code.CSTDCS, 8, 10, 10, True, ["ok_quorum", "ok_votes"]),
    ("CSTĐCS 7/10", Code.CSTDCS, 7, 10, 10, False, ["votes_short"]),
    ("CSTĐ cấp Bộ 9/10 = 90 %", Code.CSTD_BO, 9, 10, 10, True, ["ok_votes"]),
    ("CSTĐ cấp Bộ 8/10 fails 90 %", Code.CSTD_BO, 8, 10, 10, False, ["votes_short"]),
    ("CSTĐ toàn quốc 9/10", Code.CSTD_TQ, 9, 10, 10, True, ["ok_votes"]),
    ("CSTĐ toàn quốc 8/10", Code.CSTD_TQ, 8, 10, 10, False, ["votes_short"]),
    ("ministry flag 8/10", Code.CO_BO, 8, 10, 10, True, ["ok_votes"]),
    ("ministry flag 7/10", Code.CO_BO, 7, 10, 10, False, ["votes_short"]),
    ("Government flag 8/10", Code.CO_CP, 8, 10, 10, True, ["ok_votes"]),
    ("CSTĐCS 8/9 (80 % of 9 = 7.2)", Code.CSTDCS, 8, 9, 9, True, ["ok_votes"]),
    ("CSTĐCS 7/9", Code.CSTDCS, 7, 9, 9, False, ["votes_short"]),
    ("CSTĐ cấp Bộ 10/11 (90 % of 11 = 9.9)", Code.CSTD_BO, 10, 11, 11, True, ["ok_votes"]),
    ("CSTĐ cấp Bộ 9/11", Code.CSTD_BO, 9, 11, 11, False, ["votes_short"]),
    ("quorum exactly 2/3: 6 of 9 present, 3 written yes", Code.CSTDCS, 9, 9, 6, True, ["ok_quorum"]),
    ("5 of 9 present", Code.CSTDCS, 9, 9, 5, False, ["quorum_not_met"]),
    ("7 of 10 present (2/3 of 10 = 6.67)", Code.CSTDCS, 8, 10, 7, True, ["ok_quorum"]),
    ("6 of 10 present", Code.CSTDCS, 8, 10, 6, False, ["quorum_not_met"]),
    ("no quorum and too few votes", Code.CSTD_BO, 5, 10, 5, False, ["quorum_not_met", "votes_short"]),
    ("written votes count towards the threshold", Code.CSTDCS, 8, 10, 7, True, ["ok_votes"]),
    ("no threshold of its own: 5/10 is no majority", Code.LDTT, 5, 10, 10, False, ["votes_short"]),
    ("no threshold of its own: 6/10", Code.LDTT, 6, 10, 10, True, ["ok_votes"]),
    ("zero yes", Code.CO_CP, 0, 10, 10, False, ["votes_short"]),
]


@pytest.mark.parametrize(
    ("code", "yes", "members", "present", "eligible", "codes"),
    [case[1:] for case in VOTE_CASES],
    ids=[case[0] for case in VOTE_CASES],
)
def test_council_vote_rule_5(code, yes, members, present, eligible, codes):
    verdict = council_vote_passes(code, yes, members, present, P)

    if eligible:
        assert_passes(verdict, codes)
    else:
        assert_fails(verdict, codes)
    assert verdict.rule_refs == ("R5",)


def test_council_vote_reason_gives_the_required_count():
    verdict = council_vote_passes(Code.CSTD_BO, 8, 10, 10, P)

    assert verdict.reasons[0].params["required"] == 9
    assert verdict.reasons[0].params["required_share"] == "9/10"


@pytest.mark.parametrize(
    ("yes", "members", "present"),
    [(11, 10, 10), (5, 0, 0), (-1, 10, 10), (5, 10, 11), (True, 10, 10), (5.0, 10, 10)],
)
def test_council_vote_refuses_impossible_counts(yes, members, present):
    with pytest.raises(ValueError, match=r"member|number"):
        council_vote_passes(Code.CSTDCS, yes, members, present, P)


# --- rule 6: TTLĐTT ----------------------------------------------------------------------------------

TTLDTT_CASES = [
    (
        "6 of 10 hold LĐTT",
        uy(rating="good", ldtt=6),
        P,
        True,
        ["ok_rating", "ok_ldtt_share", "ok_no_member_discipline"],
    ),
    ("exactly 50 % is not over 50 %", uy(rating="good", ldtt=5), P, False, ["ldtt_share_low"]),
    (
        "50 % when 'at least' is chosen",
        uy(rating="good", ldtt=5),
        with_params(ttldtt_ldtt_share_strict=False),
        True,
        [],
    ),
    (
        "70 % rule, 7 of 10",
        uy(rating="good", ldtt=7),
        with_params(ttldtt_ldtt_share=Fraction(7, 10), ttldtt_ldtt_share_strict=False),
        True,
        [],
    ),
    (
        "70 % rule, 6 of 10",
        uy(rating="good", ldtt=6),
        with_params(ttldtt_ldtt_share=Fraction(7, 10), ttldtt_ldtt_share_strict=False),
        False,
        ["ldtt_share_low"],
    ),
    ("rated completed", uy(rating="completed"), P, False, ["rating_too_low"]),
    ("no rating", uy(rating=None), P, False, ["no_rating"]),
    ("rated excellent", uy(rating="excellent"), P, True, []),
    ("a member reprimanded", uy(disciplined=["reprimand"]), P, True, ["ok_no_member_discipline"]),
    ("a member warned", uy(disciplined=["warning"]), P, False, ["members_disciplined"]),
    ("a member dismissed", uy(disciplined=["reprimand", "dismissal"]), P, False, ["members_disciplined"]),
    (
        "member discipline check switched off",
        uy(disciplined=["warning"]),
        with_params(ttldtt_member_discipline_min_level=None),
        True,
        [],
    ),
    ("no members", uy(members=0, completed=0, ldtt=0, cstdcs=0, women=0), P, False, ["no_members"]),
    (
        "every condition fails",
        uy(rating="completed", ldtt=5, disciplined=["warning"]),
        P,
        False,
        ["rating_too_low", "ldtt_share_low", "members_disciplined"],
    ),
    ("not registered", uy(registered=()), P, False, ["not_registered"]),
    ("registered for the flag", uy(registered={"CO_BO"}), P, True, ["ok_registered"]),
]


@pytest.mark.parametrize(
    ("record", "params", "eligible", "codes"),
    [case[1:] for case in TTLDTT_CASES],
    ids=[case[0] for case in TTLDTT_CASES],
)
def test_ttldtt_rule_6(record, params, eligible, codes):
    verdict = check_unit(unit(record), Code.TTLDTT, Y, params)

    if eligible:
        assert_passes(verdict, codes)
    else:
        assert_fails(verdict, codes)


def test_ttldtt_open_investigation_blocks_the_unit():
    verdict = check_unit(unit(uy(), reviews=["investigation"]), Code.TTLDTT, Y, P)

    assert_fails(verdict, ["open_review"])


# --- rule 7: TTLĐXS ----------------------------------------------------------------------------------

TTLDXS_CASES = [
    (
        "8 of 10 LĐTT",
        uy(),
        P,
        True,
        ["ok_rating", "ok_members_completed", "ok_ldtt_share", "ok_cstdcs_members"],
    ),
    ("exactly 70 % LĐTT", uy(ldtt=7), P, True, ["ok_ldtt_share"]),
    ("60 % LĐTT", uy(ldtt=6), P, False, ["ldtt_share_low"]),
    ("one member below completed", uy(completed=9), P, False, ["members_not_completed"]),
    ("no CSTĐCS", uy(cstdcs=0), P, False, ["cstdcs_members_short"]),
    ("rated good", uy(rating="good"), P, False, ["rating_too_low"]),
    ("a warned member is allowed by default", uy(disciplined=["warning"]), P, True, []),
    (
        "a warned member when the old-law clause is on",
        uy(disciplined=["warning"]),
        with_params(ttldxs_member_discipline_min_level="warning"),
        False,
        ["members_disciplined"],
    ),
    (
        "every condition fails",
        uy(rating="good", completed=9, ldtt=6, cstdcs=0),
        P,
        False,
        ["rating_too_low", "members_not_completed", "ldtt_share_low", "cstdcs_members_short"],
    ),
    (
        "no members",
        uy(members=0, completed=0, ldtt=0, cstdcs=0, women=0),
        P,
        False,
        ["no_members", "cstdcs_members_short"],
    ),
    (
        "two CSTĐCS required",
        uy(cstdcs=1),
        with_params(ttldxs_min_cstdcs_members=2),
        False,
        ["cstdcs_members_short"],
    ),
]


@pytest.mark.parametrize(
    ("record", "params", "eligible", "codes"),
    [case[1:] for case in TTLDXS_CASES],
    ids=[case[0] for case in TTLDXS_CASES],
)
def test_ttldxs_rule_7(record, params, eligible, codes):
    verdict = check_unit(unit(record), Code.TTLDXS, Y, params)

    if eligible:
        assert_passes(verdict, codes)
    else:
        assert_fails(verdict, codes)


# --- rule 8: ministry flag ---------------------------------------------------------------------------

CO_BO_CASES = [
    (
        "first, targets met, TTLĐXS",
        unit(uy()),
        P,
        True,
        ["ok_ranked_first", "ok_targets_met", "ok_prerequisite"],
    ),
    ("second in the cluster", unit(uy(position=2)), P, False, ["ranking_not_leader"]),
    ("no final ranking", unit(uy(position=None)), P, False, ["ranking_missing"]),
    ("a target missed", unit(uy(targets=False)), P, False, ["targets_not_met"]),
    ("not TTLĐXS-eligible", unit(uy(ldtt=6)), P, False, ["prerequisite_missing", "ldtt_share_low"]),
    ("TTLĐXS already held", unit(uy(ldtt=6, titles=["TTLDXS"])), P, True, ["ok_prerequisite_held"]),
    ("open investigation", unit(uy(), reviews=["investigation"]), P, False, ["open_review"]),
    (
        "every condition fails",
        unit(uy(position=3, targets=False, ldtt=6), reviews=["investigation"]),
        P,
        False,
        ["open_review", "ranking_not_leader", "targets_not_met", "prerequisite_missing", "ldtt_share_low"],
    ),
    ("top 2 allowed by parameter", unit(uy(position=2)), with_params(ministry_flag_max_position=2), True, []),
    (
        "TTLĐXS not held, judged on held titles only",
        unit(uy()),
        with_params(current_year_by_eligibility=False),
        False,
        ["prerequisite_missing"],
    ),
]


@pytest.mark.parametrize(
    ("history", "params", "eligible", "codes"),
    [case[1:] for case in CO_BO_CASES],
    ids=[case[0] for case in CO_BO_CASES],
)
def test_ministry_flag_rule_8(history, params, eligible, codes):
    verdict = check_unit(history, Code.CO_BO, Y, params)

    if eligible:
        assert_passes(verdict, codes)
    else:
        assert_fails(verdict, codes)


def test_ministry_flags_at_most_one_per_cluster_women_break_the_tie():
    first_a = unit(uy(cluster="A", position=1, women=3), unit_id=1)
    tied_a = unit(uy(cluster="A", position=1, women=8), unit_id=2)
    second_a = unit(uy(cluster="A", position=2), unit_id=3)
    first_b = unit(uy(cluster="B", position=1), unit_id=4)

    verdicts = select_ministry_flags([first_a, tied_a, second_a, first_b], Y, P)

    assert [verdict.eligible for verdict in verdicts] == [False, True, False, True]
    assert verdicts[0].codes == ("flag_taken",)
    assert verdicts[0].reasons[0].params["winner"] == (2,)
    assert verdicts[0].rule_refs == ("R8", "R18")
    assert verdicts[2].codes == ("ranking_not_leader",)
    assert "ok_cluster_flag" in verdicts[1].codes


def test_ministry_flags_equal_tie_break_goes_to_the_lower_id():
    verdicts = select_ministry_flags(
        [unit(uy(cluster="A"), unit_id=7), unit(uy(cluster="A"), unit_id=5)], Y, P
    )

    assert [verdict.eligible for verdict in verdicts] == [False, True]


# --- rule 9: Government flag -------------------------------------------------------------------------

CO_CP_CASES = [
    ("holds the ministry flag", unit(uy(position=2, titles=["CO_BO"])), P, True, ["ok_prerequisite_held"]),
    ("eligible for the ministry flag", unit(uy()), P, True, ["ok_prerequisite"]),
    (
        "not a ministry flag holder",
        unit(uy(position=2)),
        P,
        False,
        ["prerequisite_missing", "ranking_not_leader"],
    ),
    (
        "held titles only",
        unit(uy()),
        with_params(current_year_by_eligibility=False),
        False,
        ["prerequisite_missing"],
    ),
]


@pytest.mark.parametrize(
    ("history", "params", "eligible", "codes"),
    [case[1:] for case in CO_CP_CASES],
    ids=[case[0] for case in CO_CP_CASES],
)
def test_government_flag_rule_9(history, params, eligible, codes):
    verdict = check_unit(history, Code.CO_CP, Y, params)

    if eligible:
        assert_passes(verdict, codes)
    else:
        assert_fails(verdict, codes)


def test_government_flag_candidates_are_the_flag_holders_women_first():
    holder = unit(uy(position=2, titles=["CO_BO"], women=2), unit_id=1)
    women_holder = unit(uy(position=2, titles=["CO_BO"], women=7), unit_id=2)
    not_holder = unit(uy(position=2, women=9), unit_id=3)

    candidates = government_flag_candidates([holder, not_holder, women_holder], Y, P)

    assert [verdict.subject for verdict in candidates] == [2, 1]


# --- rule 10: Bằng khen of the minister --------------------------------------------------------------


def bk_person(r2022="excellent", r2023="excellent", *, t2022=(), t2023=(), i2022=(), i2023=(), **kwargs):
    return person(
        py(2022, r2022, titles=t2022, initiatives=i2022),
        py(Y, r2023, titles=t2023, initiatives=i2023),
        **kwargs,
    )


BK_PERSON_CASES = [
    ("CSTĐCS 2022 and 2023", bk_person("good", "good", t2022=["CSTDCS"], t2023=["CSTDCS"]), True, ["ok_run"]),
    ("CSTĐCS 2022, 2023 eligible now", bk_person("good", t2022=["CSTDCS"]), True, ["ok_run"]),
    (
        "excellent twice + an initiative each year",
        bk_person(i2022=[initiative(2022)], i2023=[initiative(Y)]),
        True,
        ["ok_excellent_run", "ok_initiatives"],
    ),
    (
        "two initiatives in one year",
        bk_person(i2023=[initiative(Y), initiative(Y, month=9)]),
        True,
        ["ok_initiatives"],
    ),
    (
        "two science works",
        bk_person(i2022=[initiative(2022, science=True)], i2023=[initiative(Y, science=True)]),
        True,
        [],
    ),
    (
        "one initiative only",
        bk_person(i2023=[initiative(Y)]),
        False,
        ["no_route", "route_cstdcs_run", "run_year_missing", "route_excellent_run", "initiatives_short"],
    ),
    (
        "an initiative and a science work do not mix",
        bk_person(i2022=[initiative(2022)], i2023=[initiative(Y, science=True)]),
        False,
        ["no_route", "route_cstdcs_run", "run_year_missing", "route_excellent_run", "initiatives_short"],
    ),
    (
        "2022 only good",
        bk_person("good", i2022=[initiative(2022)], i2023=[initiative(Y)]),
        False,
        ["no_route", "route_cstdcs_run", "run_year_missing", "route_excellent_run", "run_year_not_excellent"],
    ),
    (
        "2022 already used for a Bằng khen",
        bk_person(t2022=["CSTDCS", "BK_BO"], t2023=["CSTDCS"]),
        False,
        ["no_route", "route_cstdcs_run", "year_used", "route_excellent_run", "initiatives_short"],
    ),
    (
        "an ad-hoc Bằng khen 2022 uses nothing",
        bk_person(t2022=["CSTDCS", HeldTitle("BK_BO", ad_hoc=True)], t2023=["CSTDCS"]),
        True,
        ["ok_run"],
    ),
    (
        "discipline in 2022",
        bk_person(t2023=["CSTDCS"], disciplines=[discipline("2022-03-01", "2022-09-01")]),
        False,
        [
            "no_route",
            "route_cstdcs_run",
            "route_excellent_run",
            "before_discipline_end",
            "run_year_missing",
            "run_year_not_excellent",
            "initiatives_short",
        ],
    ),
]


@pytest.mark.parametrize(
    ("history", "eligible", "codes"),
    [case[1:] for case in BK_PERSON_CASES],
    ids=[case[0] for case in BK_PERSON_CASES],
)
def test_ministers_certificate_for_a_person_rule_10(history, eligible, codes):
    verdict = check_person(history, Code.BK_BO, Y, P)

    if eligible:
        assert_passes(verdict, codes)
    else:
        assert_fails(verdict, codes)


BK_UNIT_CASES = [
    ("excellent 2022 and 2023", unit(uy(2022), uy(Y)), True, ["ok_excellent_or_ttldxs_run"]),
    ("TTLĐXS 2022, excellent 2023", unit(uy(2022, "good", titles=["TTLDXS"]), uy(Y)), True, []),
    ("good 2022 without TTLĐXS", unit(uy(2022, "good"), uy(Y)), False, ["run_year_not_excellent_or_ttldxs"]),
    ("no record for 2022", unit(uy(Y)), False, ["run_year_not_excellent_or_ttldxs"]),
    ("2022 already used for a Bằng khen", unit(uy(2022, titles=["BK_BO"]), uy(Y)), False, ["year_used"]),
    (
        "dissolved without a successor",
        unit(uy(2022), uy(Y), dissolved_on=date(2024, 3, 1)),
        False,
        ["unit_dissolved"],
    ),
]


@pytest.mark.parametrize(
    ("history", "eligible", "codes"),
    [case[1:] for case in BK_UNIT_CASES],
    ids=[case[0] for case in BK_UNIT_CASES],
)
def test_ministers_certificate_for_a_unit_rule_10(history, eligible, codes):
    verdict = check_unit(history, Code.BK_BO, Y, P)

    if eligible:
        assert_passes(verdict, codes)
    else:
        assert_fails(verdict, codes)


# --- rules 11 and 14: Bằng khen of the Prime Minister, Labour Orders ---------------------------------


def long_run_person(prior=(("BK_BO", 2018),), *, ratings=None, initiatives=None, disciplines=(), extra=None):
    ratings = ratings or {}
    initiatives = initiatives or {}
    extra = extra or {}
    records = []
    for year in range(2014, 2024):
        titles = [title for code, held_year in prior if held_year == year for title in [code]]
        titles += list(extra.get(year, ()))
        records.append(
            py(year, ratings.get(year, "excellent"), titles=titles, initiatives=initiatives.get(year, ()))
        )
    return person(*records, disciplines=disciplines)


LONG_RUN_CASES = [
    (
        "Bằng khen 2018 then excellent 2019–2023",
        Code.BK_TTG,
        long_run_person(),
        P,
        True,
        ["ok_prior_award", "ok_excellent_run"],
    ),
    (
        "ad-hoc Bằng khen does not count (rule 14)",
        Code.BK_TTG,
        long_run_person(prior=(), extra={2018: [HeldTitle("BK_BO", ad_hoc=True)]}),
        P,
        False,
        ["no_prior_award", "prior_award_ad_hoc"],
    ),
    (
        "thematic Bằng khen does not count (rule 14)",
        Code.BK_TTG,
        long_run_person(prior=(), extra={2018: [HeldTitle("BK_BO", thematic=True)]}),
        P,
        False,
        ["no_prior_award", "prior_award_ad_hoc"],
    ),
    ("no prior award", Code.BK_TTG, long_run_person(prior=()), P, False, ["no_prior_award"]),
    (
        "prior award inside the run",
        Code.BK_TTG,
        long_run_person(prior=(("BK_BO", 2020),)),
        P,
        False,
        ["no_prior_award"],
    ),
    (
        "2021 only good",
        Code.BK_TTG,
        long_run_person(ratings={2021: "good"}),
        P,
        False,
        ["run_year_not_excellent"],
    ),
    (
        "discipline in 2021",
        Code.BK_TTG,
        long_run_person(disciplines=[discipline("2021-02-01", "2021-08-01")]),
        P,
        False,
        ["before_discipline_end"] * 4 + ["run_year_not_excellent", "no_prior_award"],
    ),
    (
        "prior award already led to the same award",
        Code.BK_TTG,
        long_run_person(prior=(("BK_BO", 2016), ("BK_TTG", 2018))),
        P,
        False,
        ["no_prior_award", "prior_award_used"],
    ),
    (
        "Labour Order 3rd class after a PM Bằng khen",
        Code.HCLD3,
        long_run_person(prior=(("BK_TTG", 2018),)),
        P,
        True,
        [],
    ),
    (
        "Labour Order 3rd class needs the PM Bằng khen",
        Code.HCLD3,
        long_run_person(),
        P,
        False,
        ["no_prior_award"],
    ),
    (
        "Labour Order 2nd class after the 3rd",
        Code.HCLD2,
        long_run_person(prior=(("HCLD3", 2017),)),
        P,
        True,
        [],
    ),
    (
        "Labour Order 1st class after the 2nd",
        Code.HCLD1,
        long_run_person(prior=(("HCLD2", 2015),)),
        P,
        True,
        [],
    ),
    (
        "run of 3 years by parameter",
        Code.BK_TTG,
        long_run_person(ratings={2019: "good", 2020: "good"}),
        with_params(
            long_run_awards={**P.long_run_awards, "BK_TTG": RunRequirement(("BK_BO",), excellent_years=3)}
        ),
        True,
        [],
    ),
    (
        "initiatives required by parameter",
        Code.BK_TTG,
        long_run_person(initiatives={2022: [initiative(2022)]}),
        with_params(
            long_run_awards={**P.long_run_awards, "BK_TTG": RunRequirement(("BK_BO",), min_initiatives=2)}
        ),
        False,
        ["initiatives_short"],
    ),
]


@pytest.mark.parametrize(
    ("code", "history", "params", "eligible", "codes"),
    [case[1:] for case in LONG_RUN_CASES],
    ids=[case[0] for case in LONG_RUN_CASES],
)
def test_long_service_awards_rule_11(code, history, params, eligible, codes):
    verdict = check_person(history, code, Y, params)

    if eligible:
        assert_passes(verdict, codes)
    else:
        assert_fails(verdict, codes)


UNIT_LONG_RUN_CASES = [
    ("PM Bằng khen 2018 then excellent", {2018: ["BK_TTG"]}, {}, True, ["ok_prior_award"]),
    ("2020 only good", {2018: ["BK_TTG"]}, {2020: "good"}, False, ["run_year_not_excellent"]),
    (
        "ad-hoc prior award",
        {2018: [HeldTitle("BK_TTG", ad_hoc=True)]},
        {},
        False,
        ["no_prior_award", "prior_award_ad_hoc"],
    ),
]


@pytest.mark.parametrize(
    ("titles", "ratings", "eligible", "codes"),
    [case[1:] for case in UNIT_LONG_RUN_CASES],
    ids=[case[0] for case in UNIT_LONG_RUN_CASES],
)
def test_labour_order_for_a_unit_rule_11(titles, ratings, eligible, codes):
    history = unit(
        *(uy(year, ratings.get(year, "excellent"), titles=titles.get(year, ())) for year in range(2016, 2024))
    )

    verdict = check_unit(history, Code.HCLD3, Y, P)

    if eligible:
        assert_passes(verdict, codes)
    else:
        assert_fails(verdict, codes)


AD_HOC_CASES = [
    ("regular award", HeldTitle("BK_BO"), False),
    ("ad-hoc award", HeldTitle("BK_BO", ad_hoc=True), True),
    ("thematic award", HeldTitle("GK", thematic=True), True),
    ("both", HeldTitle("BK_TTG", ad_hoc=True, thematic=True), True),
]


@pytest.mark.parametrize(
    ("held", "excluded"), [case[1:] for case in AD_HOC_CASES], ids=[case[0] for case in AD_HOC_CASES]
)
def test_is_ad_hoc_excluded_rule_14(held, excluded):
    assert is_ad_hoc_excluded(held) is excluded


# --- rule 12: one achievement, one award -------------------------------------------------------------

ONE_AWARD_CASES = [
    ("a title and a form in the same year", [AwardClaim(1, "CSTDCS", Y)], AwardClaim(1, "GK", Y), True, []),
    (
        "two forms for the same achievement",
        [AwardClaim(1, "GK", Y)],
        AwardClaim(1, "BK_BO", Y),
        False,
        ["same_achievement_awarded"],
    ),
    (
        "the same title twice",
        [AwardClaim(1, "CSTDCS", Y)],
        AwardClaim(1, "CSTDCS", Y),
        False,
        ["same_achievement_awarded"],
    ),
    (
        "an ad-hoc achievement is another achievement",
        [AwardClaim(1, "GK", Y, "adhoc:7")],
        AwardClaim(1, "GK", Y),
        True,
        [],
    ),
    ("another year", [AwardClaim(1, "GK", 2022)], AwardClaim(1, "GK", Y), True, []),
    ("another subject", [AwardClaim(2, "GK", Y)], AwardClaim(1, "GK", Y), True, []),
    (
        "two earlier forms conflict",
        [AwardClaim(1, "BK_BO", Y), AwardClaim(1, "GK", Y), AwardClaim(1, "LDTT", Y)],
        AwardClaim(1, "HCLD3", Y),
        False,
        ["same_achievement_awarded", "same_achievement_awarded"],
    ),
    ("nothing yet", [], AwardClaim(1, "CO_BO", Y), True, ["ok_one_award"]),
]


@pytest.mark.parametrize(
    ("existing", "proposed", "eligible", "codes"),
    [case[1:] for case in ONE_AWARD_CASES],
    ids=[case[0] for case in ONE_AWARD_CASES],
)
def test_one_achievement_one_award_rule_12(existing, proposed, eligible, codes):
    verdict = one_achievement_one_award(existing, proposed)

    if eligible:
        assert_passes(verdict, codes)
    else:
        assert_fails(verdict, codes)


# --- rule 13: open reviews block everything ----------------------------------------------------------


@pytest.mark.parametrize("kind", ["discipline_review", "investigation", "inspection", "complaint"])
@pytest.mark.parametrize("code", [Code.LDTT, Code.CSTDCS, Code.GK, Code.BK_BO])
def test_open_review_blocks_every_award_for_a_person_rule_13(kind, code):
    history = person(
        py(2022, "excellent", titles=["CSTDCS"]), py(Y, "excellent", titles=["CSTDCS"]), reviews=[kind]
    )

    verdict = check_person(history, code, Y, P)

    assert_fails(verdict, ["open_review"])
    assert verdict.reasons[0].params["kinds"] == (kind,)


# --- rule 15: dissolved units ------------------------------------------------------------------------

DISSOLVED_CASES = [
    ("never dissolved", None, False, date(2025, 6, 1), True),
    ("dissolved before the decision", date(2025, 3, 1), False, date(2025, 6, 1), False),
    ("dissolved on the decision date", date(2025, 3, 1), False, date(2025, 3, 1), False),
    ("dissolved after the decision", date(2025, 3, 1), False, date(2025, 2, 28), True),
    ("dissolved with a successor", date(2025, 3, 1), True, date(2025, 6, 1), True),
    ("dissolved, no decision date given", date(2025, 3, 1), False, None, False),
]


@pytest.mark.parametrize(
    ("dissolved_on", "successor", "on", "eligible"),
    [case[1:] for case in DISSOLVED_CASES],
    ids=[case[0] for case in DISSOLVED_CASES],
)
def test_dissolved_unit_rule_15(dissolved_on, successor, on, eligible):
    history = unit(uy(), dissolved_on=dissolved_on, successor=successor)

    verdict = check_unit(history, Code.TTLDTT, Y, P, on=on)

    if eligible:
        assert_passes(verdict)
    else:
        assert_fails(verdict, ["unit_dissolved"])


# --- rule 16: quota of excellent ratings -------------------------------------------------------------

RATING_QUOTA_CASES = [
    ("20 % of 10 good", 2, 10, False, P, True),
    ("3 of 10 good", 3, 10, False, P, False),
    ("25 % of 12 with the exception", 3, 12, True, P, True),
    ("4 of 12 with the exception", 4, 12, True, P, False),
    ("3 of 12 without the exception", 3, 12, False, P, False),
    ("5 of 20 with the exception", 5, 20, True, P, True),
    ("6 of 20 with the exception", 6, 20, True, P, False),
    ("5 of 20 without the exception", 5, 20, False, P, False),
    ("1 of 5 good", 1, 5, False, P, True),
    ("nobody", 0, 0, False, P, True),
    ("1 excellent, nobody good", 1, 0, False, P, False),
    ("2 of 8 good: base 'good'", 2, 8, False, P, False),
    (
        "2 of 8 good: base 'good or better'",
        2,
        8,
        False,
        with_params(rating_quota_base="good_or_better"),
        True,
    ),
]


@pytest.mark.parametrize(
    ("excellent", "good", "exception", "params", "eligible"),
    [case[1:] for case in RATING_QUOTA_CASES],
    ids=[case[0] for case in RATING_QUOTA_CASES],
)
def test_rating_quota_rule_16(excellent, good, exception, params, eligible):
    verdict = rating_quota_ok(excellent, good, params, exception=exception)

    if eligible:
        assert_passes(verdict, ["ok_rating_quota"])
    else:
        assert_fails(verdict, ["rating_quota_exceeded"])


def test_rating_quota_refuses_negative_counts():
    with pytest.raises(ValueError, match="excellent"):
        rating_quota_ok(-1, 10, P)


# --- rule 18: tie-break and the optional quotas of rules 2 and 7 -------------------------------------


def test_tie_break_key_puts_women_first_then_ids():
    people = [
        person(gender="male", staff_id=1),
        person(gender="female", staff_id=3),
        person(gender="female", staff_id=2),
    ]

    ordered = sorted(people, key=lambda history: tie_break_key(history, Y, P))

    assert [history.staff_id for history in ordered] == [2, 3, 1]


@pytest.mark.parametrize(
    ("women", "preferred"),
    [(7, True), (10, True), (6, False), (0, False)],
    ids=["70 %", "100 %", "60 %", "none"],
)
def test_tie_break_key_prefers_collectives_with_70_percent_women(women, preferred):
    key = tie_break_key(unit(uy(women=women)), Y, P)

    assert (key[0] == 0) is preferred


def cstdcs_candidate(staff_id, gender):
    return person(py(Y, "excellent"), gender=gender, staff_id=staff_id)


def ldtt_only(staff_id):
    return person(py(Y, "good"), staff_id=staff_id)


def test_cstdcs_quota_off_by_default_keeps_every_eligible_person():
    candidates = [cstdcs_candidate(index, "male") for index in range(1, 5)]

    verdicts = apply_cstdcs_quota(candidates, Y, P)

    assert [verdict.eligible for verdict in verdicts] == [True] * 4


CSTDCS_QUOTA_CASES = [
    ("20 LĐTT holders: 3 places, women first", {"ldtt_holders": 20}, {}, [True, True, False, True]),
    ("10 holders computed: 1 place", {}, {}, [False, True, False, False]),
    (
        "merit decides before gender",
        {"ldtt_holders": 7, "merit_key": lambda history: history.staff_id != 3},
        {},
        [False, False, True, False],
    ),
    ("a minimum of one place", {"ldtt_holders": 4}, {"cstdcs_quota_minimum": 1}, [False, True, False, False]),
    ("no place when the share rounds down", {"ldtt_holders": 4}, {}, [False, False, False, False]),
]


@pytest.mark.parametrize(
    ("options", "changes", "expected"),
    [case[1:] for case in CSTDCS_QUOTA_CASES],
    ids=[case[0] for case in CSTDCS_QUOTA_CASES],
)
def test_cstdcs_quota_rule_2_with_tie_break_rule_18(options, changes, expected):
    params = with_params(cstdcs_quota_enabled=True, **changes)
    candidates = [
        cstdcs_candidate(1, "male"),
        cstdcs_candidate(2, "female"),
        cstdcs_candidate(3, "male"),
        cstdcs_candidate(4, "female"),
    ]
    others = [ldtt_only(index) for index in range(5, 11)]

    verdicts = apply_cstdcs_quota(candidates + others, Y, params, **options)

    assert [verdict.eligible for verdict in verdicts[:4]] == expected
    assert all(verdict.codes == ("no_cstdcs_ground",) for verdict in verdicts[4:])
    for verdict in verdicts[:4]:
        if not verdict.eligible:
            assert verdict.codes == ("quota_exceeded",)
            assert verdict.rule_refs == ("R2", "R18")


TTLDXS_QUOTA_CASES = [
    ("quota off", {"ttldxs_quota_enabled": False}, {}, [True, True, True]),
    ("5 TTLĐTT units: 1 place", {"ttldxs_quota_enabled": True}, {"ttldtt_units": 5}, [False, True, False]),
    ("10 TTLĐTT units: 2 places", {"ttldxs_quota_enabled": True}, {"ttldtt_units": 10}, [True, True, False]),
    ("3 units computed: at least one place", {"ttldxs_quota_enabled": True}, {}, [False, True, False]),
]


@pytest.mark.parametrize(
    ("changes", "options", "expected"),
    [case[1:] for case in TTLDXS_QUOTA_CASES],
    ids=[case[0] for case in TTLDXS_QUOTA_CASES],
)
def test_ttldxs_quota_rule_7_with_tie_break_rule_18(changes, options, expected):
    units = [unit(uy(women=3), unit_id=1), unit(uy(women=7), unit_id=2), unit(uy(women=5), unit_id=3)]

    verdicts = apply_ttldxs_quota(units, Y, with_params(**changes), **options)

    assert [verdict.eligible for verdict in verdicts] == expected


# --- rule 19: dossier --------------------------------------------------------------------------------

BASE_DOCUMENTS = {"proposal", "achievement_report", "minutes", "vote_result"}

DOSSIER_CASES = [
    ("CSTĐCS with initiative proof", Code.CSTDCS, BASE_DOCUMENTS | {"initiative_proof"}, P, []),
    ("CSTĐCS with excellent-rating proof", Code.CSTDCS, BASE_DOCUMENTS | {"rating_proof"}, P, []),
    ("CSTĐCS without any proof", Code.CSTDCS, BASE_DOCUMENTS, P, ["document_missing"]),
    (
        "CSTĐCS without minutes",
        Code.CSTDCS,
        BASE_DOCUMENTS - {"minutes"} | {"rating_proof"},
        P,
        ["document_missing"],
    ),
    ("proposal only", Code.CSTDCS, {"proposal"}, P, ["document_missing"] * 4),
    (
        "CSTĐ cấp Bộ needs initiative proof",
        Code.CSTD_BO,
        BASE_DOCUMENTS | {"rating_proof"},
        P,
        ["document_missing"],
    ),
    ("CSTĐ toàn quốc complete", Code.CSTD_TQ, BASE_DOCUMENTS | {"initiative_proof"}, P, []),
    ("LĐTT needs no proof", Code.LDTT, BASE_DOCUMENTS, P, []),
    ("ministry flag", Code.CO_BO, BASE_DOCUMENTS, P, []),
    (
        "ministry flag without the vote result",
        Code.CO_BO,
        BASE_DOCUMENTS - {"vote_result"},
        P,
        ["document_missing"],
    ),
    (
        "Decree 98: the vote result may be in the minutes",
        Code.CSTDCS,
        BASE_DOCUMENTS - {"vote_result"} | {"initiative_proof"},
        DECREE_98_2023,
        [],
    ),
    ("nothing at all", Code.TTLDTT, set(), P, ["document_missing"] * 4),
]


@pytest.mark.parametrize(
    ("code", "documents", "params", "codes"),
    [case[1:] for case in DOSSIER_CASES],
    ids=[case[0] for case in DOSSIER_CASES],
)
def test_dossier_complete_rule_19(code, documents, params, codes):
    verdict = dossier_complete(code, documents, params)

    if codes:
        assert_fails(verdict, codes)
    else:
        assert_passes(verdict, ["ok_dossier"])


def test_dossier_missing_reason_names_the_alternatives():
    verdict = dossier_complete(Code.CSTDCS, BASE_DOCUMENTS, P)

    assert verdict.reasons[0].params["documents"] == ("initiative_proof", "rating_proof")


def test_dossier_refuses_an_unknown_document_kind():
    with pytest.raises(ValueError, match="unknown document"):
        dossier_complete(Code.CSTDCS, {"photo"}, P)


# --- the rule set changing on 01/07/2025 -------------------------------------------------------------

IN_FORCE_CASES = [
    ("first day of Decree 98", date(2024, 1, 1), DECREE_98_2023),
    ("last day of Decree 98", date(2025, 6, 30), DECREE_98_2023),
    ("first day of Decree 152", date(2025, 7, 1), DECREE_152_2025),
    ("later", date(2030, 1, 1), DECREE_152_2025),
]


@pytest.mark.parametrize(
    ("on", "expected"), [case[1:] for case in IN_FORCE_CASES], ids=[case[0] for case in IN_FORCE_CASES]
)
def test_params_in_force_by_date(on, expected):
    assert params_in_force(on) is expected


def test_params_in_force_before_the_2022_law_is_not_built_in():
    with pytest.raises(LookupError, match="31/12/2023"):
        params_in_force(date(2023, 12, 31))


@pytest.mark.parametrize(
    ("submitted_on", "complete"),
    [(date(2025, 6, 30), True), (date(2025, 7, 1), False)],
    ids=["30/06/2025", "01/07/2025"],
)
def test_nomination_is_judged_under_the_rule_set_of_its_date(submitted_on, complete):
    documents = {"proposal", "achievement_report", "minutes", "initiative_proof"}

    verdict = dossier_complete(Code.CSTDCS, documents, params_in_force(submitted_on))

    assert verdict.eligible is complete


def test_the_two_decrees_differ_only_in_the_dossier():
    old, new = DECREE_98_2023.to_dict(), DECREE_152_2025.to_dict()

    assert {name for name in new if old[name] != new[name]} == {"dossier_documents"}


# --- reward amounts ----------------------------------------------------------------------------------

REWARD_CASES = [
    ("CSTĐCS before 01/07/2024", Code.CSTDCS, date(2024, 6, 30), None, P, "1800000"),
    ("CSTĐCS from 01/07/2024", Code.CSTDCS, date(2024, 7, 1), None, P, "2340000"),
    ("LĐTT before", Code.LDTT, date(2024, 6, 30), None, P, "540000"),
    ("LĐTT after", Code.LDTT, date(2024, 7, 1), None, P, "702000"),
    ("LĐTT in 2023 H1", Code.LDTT, date(2023, 6, 30), None, P, "447000"),
    ("CSTĐ cấp Bộ", Code.CSTD_BO, date(2025, 1, 15), None, P, "7020000"),
    ("CSTĐ toàn quốc", Code.CSTD_TQ, date(2025, 1, 15), None, P, "10530000"),
    ("TTLĐTT", Code.TTLDTT, date(2025, 1, 15), None, P, "1872000"),
    ("TTLĐXS", Code.TTLDXS, date(2025, 1, 15), None, P, "3510000"),
    ("ministry flag", Code.CO_BO, date(2025, 1, 15), None, P, "18720000"),
    ("Government flag", Code.CO_CP, date(2025, 1, 15), None, P, "28080000"),
    ("minister's certificate, unit", Code.BK_BO, date(2025, 1, 15), True, P, "7020000"),
    ("minister's certificate, person", Code.BK_BO, date(2025, 1, 15), False, P, "3510000"),
    (
        "rounded down to whole đồng",
        Code.LDTT,
        date(2025, 1, 15),
        None,
        with_params(base_salaries=((date(2024, 1, 1), Decimal("1000001")),)),
        "300000",
    ),
    (
        "half a đồng rounds up",
        Code.CSTD_TQ,
        date(2025, 1, 15),
        None,
        with_params(base_salaries=((date(2024, 1, 1), Decimal("1000001")),)),
        "4500005",
    ),
]


@pytest.mark.parametrize(
    ("code", "decided_on", "collective", "params", "expected"),
    [case[1:] for case in REWARD_CASES],
    ids=[case[0] for case in REWARD_CASES],
)
def test_reward_amount_uses_the_base_salary_of_the_decision_date(
    code, decided_on, collective, params, expected
):
    amount = reward_amount(code, decided_on, params, collective=collective)

    assert isinstance(amount, Decimal)
    assert amount == Decimal(expected)
    assert amount.as_tuple().exponent == 0


@pytest.mark.parametrize(
    ("code", "decided_on", "collective", "message"),
    [
        (Code.BK_BO, date(2025, 1, 15), None, "two reward coefficients"),
        (Code.KNC, date(2025, 1, 15), None, "no reward coefficients"),
        (Code.CO_BO, date(2025, 1, 15), False, "no reward coefficient for a person"),
        (Code.LDTT, date(2019, 6, 30), None, "no base salary"),
    ],
)
def test_reward_amount_refuses_what_it_cannot_compute(code, decided_on, collective, message):
    with pytest.raises(ValueError, match=message):
        reward_amount(code, decided_on, P, collective=collective)


# --- RuleParams: JSON round trip and validation ------------------------------------------------------


@pytest.mark.parametrize("params", [DECREE_98_2023, DECREE_152_2025], ids=["98/2023", "152/2025"])
def test_rule_params_round_trip_through_json(params):
    stored = json.loads(json.dumps(params.to_dict()))

    assert RuleParams.from_dict(stored) == params


def test_rule_params_missing_keys_take_the_defaults():
    assert RuleParams.from_dict({}) == RuleParams()
    assert RuleParams.from_dict({"ldtt_min_months_worked": 11}).ldtt_min_months_worked == 11


def test_rule_params_shares_are_exact_fractions():
    params = RuleParams.from_dict({"quorum_share": "2/3", "ttldxs_ldtt_share": "0.7"})

    assert params.quorum_share == Fraction(2, 3)
    assert params.ttldxs_ldtt_share == Fraction(7, 10)
    assert params.to_dict()["ttldxs_ldtt_share"] == "7/10"


def test_rule_params_reject_unknown_keys_by_name():
    with pytest.raises(ParameterError, match=r"unknown rule parameter\(s\): bogus, other"):
        RuleParams.from_dict({"other": 1, "bogus": 2, "quorum_share": "2/3"})


BAD_PARAMETER_CASES = [
    ("share above 1", {"quorum_share": "3/2"}),
    ("share not a number", {"quorum_share": "two thirds"}),
    ("share as a float", {"quorum_share": 0.5}),
    ("unknown rating", {"ldtt_min_rating": "great"}),
    ("negative months", {"ldtt_min_months_worked": -1}),
    ("a boolean for a number", {"ldtt_min_months_worked": True}),
    ("a string for a boolean", {"registration_required": "yes"}),
    ("run of zero years", {"cstd_bo_run_years": 0}),
    ("unknown award code", {"vote_thresholds": {"XYZ": "4/5"}}),
    ("unknown document", {"dossier_documents": ["proposal", "photo"]}),
    ("empty document group", {"dossier_extra": {"CSTDCS": [[]]}}),
    ("unknown run key", {"long_run_awards": {"BK_TTG": {"prior_awards": ["BK_BO"], "years": 5}}}),
    ("base salaries out of order", {"base_salaries": [["2024-07-01", "2340000"], ["2023-07-01", "1800000"]]}),
    ("base salary with a bad date", {"base_salaries": [["01/07/2024", "2340000"]]}),
    ("negative coefficient", {"individual_coefficients": {"LDTT": "-0.3"}}),
    ("not an object", []),
]


@pytest.mark.parametrize(
    "data", [case[1] for case in BAD_PARAMETER_CASES], ids=[case[0] for case in BAD_PARAMETER_CASES]
)
def test_rule_params_reject_bad_values(data):
    with pytest.raises(ParameterError):
        RuleParams.from_dict(data)


def test_rule_params_are_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        P.quorum_share = Fraction(1, 2)
    with pytest.raises(TypeError):
        P.vote_thresholds["CSTDCS"] = Fraction(1, 2)


def test_every_parameter_has_a_source_with_a_certainty_mark():
    assert set(PARAMETER_SOURCES) == set(P.to_dict())
    assert all(source.startswith(("[C", "[S", "[U", "[D")) for source in PARAMETER_SOURCES.values())


# --- facts validation --------------------------------------------------------------------------------

BAD_FACT_CASES = [
    ("unknown rating", lambda: PersonYear(Y, rating="great"), "unknown rating"),
    ("13 months", lambda: PersonYear(Y, months_worked=13), "cannot exceed 12"),
    ("initiative of another year", lambda: PersonYear(Y, initiatives=(initiative(2022),)), "is not in 2023"),
    ("year key mismatch", lambda: PersonHistory(1, years={2022: PersonYear(Y)}), "holds the record of 2023"),
    ("more LĐTT than members", lambda: UnitYear(Y, members=5, members_with_ldtt=6), "exceeds the 5 members"),
    (
        "discipline ending before it starts",
        lambda: discipline("2023-05-01", "2023-04-01"),
        "before it starts",
    ),
    ("unknown discipline level", lambda: discipline("2023-05-01", level="fine"), "unknown discipline level"),
    ("unknown award code", lambda: HeldTitle("NOBEL"), "unknown award code"),
    (
        "unknown review kind",
        lambda: PersonHistory(1, open_reviews=frozenset({"audit"})),
        "unknown review kind",
    ),
    ("ranking position 0", lambda: UnitYear(Y, ranking_position=0), "starts at 1"),
    (
        "unknown initiative level",
        lambda: InitiativeFact("provincial", date(Y, 1, 1)),
        "unknown initiative level",
    ),
]


@pytest.mark.parametrize(
    ("build", "message"),
    [case[1:] for case in BAD_FACT_CASES],
    ids=[case[0] for case in BAD_FACT_CASES],
)
def test_facts_refuse_impossible_values(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_fact_vocabularies_match_the_enums_of_the_apps():
    from awards.enums import DisciplineLevel, DocumentKind, InitiativeLevel, RatingGrade, ReviewKind
    from emulation.enums import Title

    assert set(facts_module.RATINGS) == set(RatingGrade.values)
    assert set(facts_module.DISCIPLINE_LEVELS) == set(DisciplineLevel.values)
    assert set(facts_module.INITIATIVE_LEVELS) == set(InitiativeLevel.values)
    assert set(facts_module.REVIEW_KINDS) == set(ReviewKind.values)
    assert set(facts_module.DOCUMENTS) == set(DocumentKind.values)
    assert set(facts_module.EMULATION_TITLES) == set(Title.values)


# --- entry points, ladders, verdict storage ----------------------------------------------------------


def test_best_titles_for_person_in_ascending_order_with_the_next_step():
    history = person(py(Y, "excellent"))

    verdicts = best_titles_for_person(history, Y, P)
    highest, following = ladder_position(verdicts)

    assert [verdict.title_code for verdict in verdicts] == ["LDTT", "CSTDCS", "CSTD_BO", "CSTD_TQ"]
    assert [verdict.eligible for verdict in verdicts] == [True, True, False, False]
    assert highest.title_code == "CSTDCS"
    assert following.title_code == "CSTD_BO"
    assert "run_year_missing" in following.codes


def test_ladder_position_when_nothing_qualifies():
    verdicts = best_titles_for_person(person(py(Y, "completed")), Y, P)

    assert ladder_position(verdicts) == (None, verdicts[0])


def test_best_titles_for_unit_in_ascending_order():
    verdicts = best_titles_for_unit(unit(uy(position=2)), Y, P)

    assert [verdict.title_code for verdict in verdicts] == ["TTLDTT", "TTLDXS", "CO_BO", "CO_CP"]
    assert [verdict.eligible for verdict in verdicts] == [True, True, False, False]


@pytest.mark.parametrize(
    ("check", "history", "code"),
    [
        (check_person, person(), Code.TTLDTT),
        (check_unit, unit(), Code.CSTDCS),
        (check_person, person(), "NOBEL"),
    ],
)
def test_entry_points_refuse_awards_of_the_other_subject(check, history, code):
    with pytest.raises(ValueError, match="is not an award"):
        check(history, code, Y, P)


@pytest.mark.parametrize(("reviews", "eligible"), [((), True), (("complaint",), False)])
def test_forms_without_legal_criteria_only_check_the_general_blocks(reviews, eligible):
    verdict = check_person(person(py(Y), reviews=reviews), Code.GK, Y, P)

    assert verdict.eligible is eligible
    assert verdict.codes == (("no_criteria_checked",) if eligible else ("open_review",))


def test_verdict_round_trips_through_json():
    verdict = check_person(cstdcs_run(held=(2021, 2023)), Code.CSTD_BO, Y, P)

    stored = json.loads(json.dumps(verdict.to_dict()))

    assert Verdict.from_dict(stored) == verdict


def test_verdict_text_reads_in_english_and_names_the_missing_year():
    verdict = check_person(cstdcs_run(held=(2021, 2023)), Code.CSTD_BO, Y, P)

    with translation.override("en"):
        summary = verdict.summary

    assert summary.startswith("Ministry-level emulation fighter 2023: not met.")
    assert "2022" in summary


SAMPLE_PARAMS = {
    "kinds": ("investigation", "complaint"),
    "title": "CSTD_BO",
    "prerequisite": "CSTDCS",
    "prerequisites": ("BK_BO", "BK_TTG"),
    "used_by": "CSTD_BO",
    "existing": "GK",
    "year": 2023,
    "used_year": 2022,
    "first": 2021,
    "last": 2023,
    "before": 2018,
    "on": "2025-03-01",
    "start": "2023-01-15",
    "end": "2023-06-30",
    "rating": "good",
    "required_rating": "good",
    "discipline": "warning",
    "initiative_level": "ministry",
    "months": 9,
    "worked": 5,
    "maternity": 4,
    "required": 10,
    "count": 1,
    "science": 0,
    "members": 10,
    "present": 6,
    "yes": 8,
    "share": "2/3",
    "required_share": "4/5",
    "strict": False,
    "position": 2,
    "places": 3,
    "candidates": 5,
    "excellent": 3,
    "base_count": 10,
    "base": "good",
    "allowed": 2,
    "documents": ("initiative_proof", "rating_proof"),
}


@pytest.mark.parametrize("language", ["en", "vi"])
@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_reason_renders_in_each_language(code, language):
    reason = Reason(code, SAMPLE_PARAMS, met=code.startswith("ok_"), rule="R1")

    with translation.override(language):
        text = reason.text

    assert "%(" not in text
    assert text.strip()


def test_reason_renders_shares_dates_and_labels_in_english():
    reason = Reason(
        "quorum_not_met",
        {"present": 5, "members": 9, "required": 6, "required_share": "2/3", "strict": False},
    )
    dissolved = Reason("unit_dissolved", {"on": date(2025, 3, 1)})

    with translation.override("en"):
        assert reason.text == "Council members present: 5 of 9; a quorum needs 6 (at least 66.7 %)."
        assert (
            dissolved.text
            == "The unit was dissolved on 01/03/2025 and has no successor: it cannot be awarded."
        )


def test_reason_refuses_an_unknown_code():
    with pytest.raises(ValueError, match="no message"):
        Reason("made_up")


def test_engine_modules_import_no_models_and_no_database():
    package = Path(facts_module.__file__).parent

    sources = {path.name: path.read_text(encoding="utf-8") for path in package.glob("*.py")}

    assert len(sources) == 6
    for name, source in sources.items():
        assert "django.db" not in source, name
        assert ".models" not in source, name
