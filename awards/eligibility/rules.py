"""The rules of docs/domain.md as pure functions: a history and a year in, an `Outcome` out.

Each `criteria_*` function checks the conditions of one award (no registration or open-review
check: those are applied once by the entry points in awards.eligibility.engine) and records every
condition, met or failed. Prerequisites of the judged year are checked with their own criteria
functions and their failures are listed in full.

Readings of the rules that the texts leave open (documented decisions):

- Rule 13/17, discipline: a discipline is "in" year Y when its period overlaps Y. It makes the rating
  of Y count as "not completed" whatever its level (rule 17), and a level at or above the rule's
  threshold also fails the "no discipline" condition (rule 1). Achievements count from the day a
  discipline ends, so a year counts towards runs and as the year of a prior award only if it begins
  after the end of every discipline that started by the end of the judged year (a discipline ending
  30/06/2023 leaves 2023 out; 2024 counts). While a discipline has not ended, no earlier year counts.
- Rule 3/4/10/11, runs: years are consecutive calendar years ending in the judged year. Earlier years
  need the title actually held; the judged year may instead be eligible now (parameter
  `current_year_by_eligibility`). A year already counted for an award of the same kind (a held
  CSTĐ cấp Bộ covers the 3 years of its run; a held CSTĐ toàn quốc the CSTĐ cấp Bộ of its run; a held
  Bằng khen its years) or marked `used_for` it does not count again.
- Rule 4: the two CSTĐ cấp Bộ are consecutive when their runs touch (held for Y−3 and Y with runs of
  3 years); the nationwide initiative may fall anywhere in the years of both runs.
- Rule 10, person: route A (CSTĐCS every year) or route B (excellent every year, with at least N
  initiatives OR at least N accepted science works in those years, not a mix). When both fail, both
  routes' missing conditions are listed.
- Rule 11: the prior award must be held in a year before the run of excellent years, not be ad-hoc or
  thematic (rule 14), count (rule 13), and not have already led to the same award.
- Rule 14 applies to every prerequisite title: an ad-hoc or thematic award never counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from fractions import Fraction

from awards.eligibility.facts import (
    DISCIPLINE_RANK,
    EXCELLENT,
    NOT_COMPLETED,
    RATING_RANK,
    Code,
    DisciplineFact,
    HeldTitle,
    PersonHistory,
    PersonYear,
    UnitHistory,
    UnitYear,
)
from awards.eligibility.params import RuleParams
from awards.eligibility.verdicts import Outcome

# --- small helpers ----------------------------------------------------------------------------------


def is_ad_hoc_excluded(held: HeldTitle) -> bool:
    """Rule 14: an ad-hoc or thematic award never counts as a prerequisite for a higher award."""
    return held.ad_hoc or held.thematic


def counts_as_prerequisite(record: PersonYear | UnitYear, code: str) -> bool:
    """The title `code` is held for that year and may serve as a prerequisite."""
    return any(held.code == code and not is_ad_hoc_excluded(held) for held in record.titles)


def _marked_used(record: PersonYear | UnitYear, code: str, award: str) -> bool:
    return any(held.code == code and award in held.used_for for held in record.titles)


def disciplines_in(history: PersonHistory, year: int) -> list[DisciplineFact]:
    """The disciplines in force on at least one day of `year`."""
    return [discipline for discipline in history.disciplines if discipline.overlaps(year)]


def effective_rating(history: PersonHistory, year: int) -> str | None:
    """Rule 17: a discipline in the year makes the rating "not completed"."""
    if disciplines_in(history, year):
        return NOT_COMPLETED
    return history.year(year).rating


def counting_from(history: PersonHistory, year: int) -> tuple[int | None, DisciplineFact | None]:
    """Rule 13: the first year whose achievements count, judged at the end of `year`, and the
    discipline that sets it; (None, None) when no discipline started by then."""
    first: int | None = None
    blocker: DisciplineFact | None = None
    for discipline in history.disciplines:
        if discipline.start.year > year:
            continue
        starts = year + 1 if discipline.end is None else discipline.end.year + 1
        if first is None or starts > first:
            first, blocker = starts, discipline
    return first, blocker


def _check_counts(out: Outcome, history: PersonHistory | None, year: int, judged: int) -> bool:
    """Record a failure when `year` is before the end of a discipline (persons only)."""
    if history is None:
        return True
    first, blocker = counting_from(history, judged)
    if first is None or year >= first or blocker is None:
        return True
    if blocker.end is None:
        out.fail("R13", "discipline_not_ended", year=year, start=blocker.start)
    else:
        out.fail("R13", "before_discipline_end", year=year, end=blocker.end)
    return False


def _used_by(
    history: PersonHistory | UnitHistory,
    award: str,
    judged: int,
    covers: Callable[[int], Iterable[int]],
    year: int,
) -> int | None:
    """The year of an award `award` already held (other than the judged year's) whose run covers `year`."""
    for held_year in sorted(history.years):
        if held_year == judged or not counts_as_prerequisite(history.years[held_year], award):
            continue
        if year in covers(held_year):
            return held_year
    return None


def _span(first: int, last: int) -> range:
    return range(first, last + 1)


def _rating_condition(
    out: Outcome, rule: str, rating: str | None, required: str, title: str, year: int
) -> None:
    if rating is None:
        out.fail(rule, "no_rating", year=year, title=title)
    elif RATING_RANK[rating] < RATING_RANK[required]:
        out.fail(rule, "rating_too_low", year=year, rating=rating, required_rating=required, title=title)
    else:
        out.ok(rule, "ok_rating", year=year, rating=rating)


def _prerequisite(
    out: Outcome,
    rule: str,
    record: PersonYear | UnitYear,
    prerequisite: str,
    title: str,
    year: int,
    params: RuleParams,
    criteria: Callable[[], Outcome],
    *,
    held_counts: bool = True,
) -> bool:
    """The judged year's prerequisite: held (when `held_counts`) or, if allowed, eligible now."""
    if held_counts and counts_as_prerequisite(record, prerequisite):
        out.ok(rule, "ok_prerequisite_held", prerequisite=prerequisite, year=year)
        return True
    if held_counts and not params.current_year_by_eligibility:
        out.fail(rule, "prerequisite_missing", title=title, prerequisite=prerequisite, year=year)
        return False
    nested = criteria()
    if nested.passed:
        out.ok(rule, "ok_prerequisite", prerequisite=prerequisite, year=year)
        return True
    out.fail(rule, "prerequisite_missing", title=title, prerequisite=prerequisite, year=year)
    out.failed.extend(nested.failed)
    return False


def _held_in_run(
    out: Outcome,
    rule: str,
    history: PersonHistory | UnitHistory,
    prerequisite: str,
    title: str,
    year: int,
    judged: int,
    first: int,
    params: RuleParams,
    criteria: Callable[[], Outcome],
) -> bool:
    """A run year: the prerequisite held, or for the judged year possibly eligible now."""
    record = history.year(year)
    if counts_as_prerequisite(record, prerequisite):
        return True
    if year == judged and params.current_year_by_eligibility:
        nested = criteria()
        if nested.passed:
            return True
        out.fail(
            rule,
            "run_year_missing",
            prerequisite=prerequisite,
            year=year,
            first=first,
            last=judged,
            title=title,
        )
        out.failed.extend(nested.failed)
        return False
    out.fail(
        rule, "run_year_missing", prerequisite=prerequisite, year=year, first=first, last=judged, title=title
    )
    return False


# --- rule 1: Lao động tiên tiến ----------------------------------------------------------------------


def criteria_ldtt(history: PersonHistory, year: int, params: RuleParams) -> Outcome:
    out = Outcome()
    record = history.year(year)
    in_year = disciplines_in(history, year)
    if in_year:
        out.fail(
            "R17",
            "rating_forced_by_discipline",
            year=year,
            rating=record.rating,
            required_rating=params.ldtt_min_rating,
            title=Code.LDTT,
        )
    else:
        _rating_condition(out, "R1", record.rating, params.ldtt_min_rating, Code.LDTT, year)
    threshold = DISCIPLINE_RANK[params.ldtt_discipline_min_level]
    barring = [discipline for discipline in in_year if DISCIPLINE_RANK[discipline.level] >= threshold]
    if barring:
        worst = max(barring, key=lambda discipline: (DISCIPLINE_RANK[discipline.level], discipline.start))
        out.fail("R1", "discipline_in_year", year=year, discipline=worst.level, start=worst.start)
    else:
        out.ok("R1", "ok_no_discipline", year=year)
    months = {
        "year": year,
        "months": record.months_counted,
        "worked": record.months_worked,
        "maternity": record.maternity_leave_months,
    }
    if record.months_counted < params.ldtt_min_months_worked:
        out.fail(
            "R1", "months_counted_short", **months, required=params.ldtt_min_months_worked, title=Code.LDTT
        )
    else:
        out.ok("R1", "ok_months_counted", **months)
    return out


# --- rule 2: Chiến sĩ thi đua cơ sở ------------------------------------------------------------------


def criteria_cstdcs(history: PersonHistory, year: int, params: RuleParams) -> Outcome:
    out = Outcome()
    ldtt = criteria_ldtt(history, year, params)
    if ldtt.passed:
        out.ok("R2", "ok_prerequisite", prerequisite=Code.LDTT, year=year)
    else:
        out.fail("R2", "prerequisite_missing", title=Code.CSTDCS, prerequisite=Code.LDTT, year=year)
        out.failed.extend(ldtt.failed)
    record = history.year(year)
    rating = effective_rating(history, year)
    initiatives = [
        initiative
        for initiative in record.initiatives
        if not initiative.is_science_work and initiative.at_least(params.cstdcs_initiative_min_level)
    ]
    science = [initiative for initiative in record.initiatives if initiative.is_science_work]
    if rating == EXCELLENT:
        out.ok("R2", "ok_excellent", year=year)
    if initiatives:
        out.ok("R2", "ok_initiative", year=year)
    if science:
        out.ok("R2", "ok_science_work", year=year)
    if rating != EXCELLENT and not initiatives and not science:
        out.fail(
            "R2",
            "no_cstdcs_ground",
            year=year,
            rating=rating,
            initiative_level=params.cstdcs_initiative_min_level,
            title=Code.CSTDCS,
        )
    return out


# --- rule 3: Chiến sĩ thi đua cấp Bộ -----------------------------------------------------------------


def criteria_cstd_bo(history: PersonHistory, year: int, params: RuleParams) -> Outcome:
    out = Outcome()
    length = params.cstd_bo_run_years
    first = year - length + 1
    run_ok = True
    for run_year in _span(first, year):
        counts = _check_counts(out, history, run_year, year)
        held = _held_in_run(
            out,
            "R3",
            history,
            Code.CSTDCS,
            Code.CSTD_BO,
            run_year,
            year,
            first,
            params,
            lambda: criteria_cstdcs(history, year, params),
        )
        used = False
        if held and not params.cstd_bo_run_reusable:
            used = _run_year_used(out, "R3", history, Code.CSTDCS, Code.CSTD_BO, run_year, year, length)
        run_ok = run_ok and counts and held and not used
    if run_ok:
        out.ok("R3", "ok_run", prerequisite=Code.CSTDCS, first=first, last=year)
    _initiative_in_run(out, history, first, year, params.cstd_bo_initiative_min_level, Code.CSTD_BO)
    return out


def _run_year_used(
    out: Outcome,
    rule: str,
    history: PersonHistory | UnitHistory,
    prerequisite: str | None,
    award: str,
    run_year: int,
    judged: int,
    length: int,
) -> bool:
    """Rule 3: a year already counted for `award` (derived from held awards or marked) fails."""
    if prerequisite is not None and _marked_used(history.year(run_year), prerequisite, award):
        out.fail(rule, "title_marked_used", prerequisite=prerequisite, year=run_year, used_by=award)
        return True
    used_year = _used_by(history, award, judged, lambda held: _span(held - length + 1, held), run_year)
    if used_year is not None:
        out.fail(rule, "year_used", year=run_year, used_by=award, used_year=used_year)
        return True
    return False


def _initiative_in_run(
    out: Outcome, history: PersonHistory, first: int, last: int, level: str, title: str
) -> None:
    counted_from, _blocker = counting_from(history, last)
    found = any(
        initiative.at_least(level)
        for run_year in _span(first, last)
        if counted_from is None or run_year >= counted_from
        for initiative in history.year(run_year).initiatives
    )
    if found:
        out.ok("R3", "ok_run_initiative", initiative_level=level, first=first, last=last)
    else:
        out.fail("R3", "no_initiative_in_run", initiative_level=level, first=first, last=last, title=title)


# --- rule 4: Chiến sĩ thi đua toàn quốc --------------------------------------------------------------


def criteria_cstd_tq(history: PersonHistory, year: int, params: RuleParams) -> Outcome:
    out = Outcome()
    step = params.cstd_bo_run_years
    award_years = [year - step * index for index in reversed(range(params.cstd_tq_consecutive_awards))]
    first = year - step * params.cstd_tq_consecutive_awards + 1
    for span_year in _span(first, year):
        _check_counts(out, history, span_year, year)
    held_all = True
    for award_year in award_years:
        record = history.year(award_year)
        if counts_as_prerequisite(record, Code.CSTD_BO):
            held = True
        elif award_year == year and params.current_year_by_eligibility:
            held = _prerequisite(
                out,
                "R4",
                record,
                Code.CSTD_BO,
                Code.CSTD_TQ,
                award_year,
                params,
                lambda: criteria_cstd_bo(history, year, params),
                held_counts=False,
            )
        else:
            held = False
            out.fail(
                "R4", "prerequisite_missing", title=Code.CSTD_TQ, prerequisite=Code.CSTD_BO, year=award_year
            )
        if held:
            used_year = _used_by(
                history,
                Code.CSTD_TQ,
                year,
                lambda held_year: [
                    held_year - step * index for index in range(params.cstd_tq_consecutive_awards)
                ],
                award_year,
            )
            if used_year is not None:
                out.fail("R4", "year_used", year=award_year, used_by=Code.CSTD_TQ, used_year=used_year)
                held = False
        held_all = held_all and held
    if held_all:
        out.ok("R4", "ok_run", prerequisite=Code.CSTD_BO, first=award_years[0], last=year)
    counted_from, _blocker = counting_from(history, year)
    nationwide = any(
        initiative.is_nationwide
        for span_year in _span(first, year)
        if counted_from is None or span_year >= counted_from
        for initiative in history.year(span_year).initiatives
    )
    if nationwide:
        out.ok("R4", "ok_nationwide_initiative", first=first, last=year)
    else:
        out.fail("R4", "no_nationwide_initiative", first=first, last=year, title=Code.CSTD_TQ)
    return out


# --- rule 10: Bằng khen of the minister --------------------------------------------------------------


def criteria_bk_bo_person(history: PersonHistory, year: int, params: RuleParams) -> Outcome:
    window = max(params.bk_bo_cstdcs_years, params.bk_bo_excellent_years)
    # Route A: CSTĐCS every year of the run.
    route_a = Outcome()
    first_a = year - params.bk_bo_cstdcs_years + 1
    run_ok = True
    for run_year in _span(first_a, year):
        counts = _check_counts(route_a, history, run_year, year)
        held = _held_in_run(
            route_a,
            "R10",
            history,
            Code.CSTDCS,
            Code.BK_BO,
            run_year,
            year,
            first_a,
            params,
            lambda: criteria_cstdcs(history, year, params),
        )
        used = held and _run_year_used(
            route_a, "R10", history, Code.CSTDCS, Code.BK_BO, run_year, year, window
        )
        run_ok = run_ok and counts and held and not used
    if run_ok:
        route_a.ok("R10", "ok_run", prerequisite=Code.CSTDCS, first=first_a, last=year)
    # Route B: excellent every year, with enough initiatives or science works.
    route_b = Outcome()
    first_b = year - params.bk_bo_excellent_years + 1
    run_ok = True
    for run_year in _span(first_b, year):
        counts = _check_counts(route_b, history, run_year, year)
        rating = effective_rating(history, run_year)
        excellent = rating == EXCELLENT
        if not excellent:
            route_b.fail(
                "R10",
                "run_year_not_excellent",
                year=run_year,
                rating=rating,
                first=first_b,
                last=year,
                title=Code.BK_BO,
            )
        used = _run_year_used(route_b, "R10", history, None, Code.BK_BO, run_year, year, window)
        run_ok = run_ok and counts and excellent and not used
    if run_ok:
        route_b.ok("R10", "ok_excellent_run", first=first_b, last=year)
    counted_from, _blocker = counting_from(history, year)
    found = [
        initiative
        for run_year in _span(first_b, year)
        if counted_from is None or run_year >= counted_from
        for initiative in history.year(run_year).initiatives
        if initiative.at_least(params.bk_bo_initiative_min_level) or initiative.is_science_work
    ]
    initiatives = sum(1 for initiative in found if not initiative.is_science_work)
    science = sum(1 for initiative in found if initiative.is_science_work)
    needed = params.bk_bo_min_initiatives
    if initiatives >= needed or science >= needed:
        route_b.ok("R10", "ok_initiatives", count=initiatives, science=science, first=first_b, last=year)
    else:
        route_b.fail(
            "R10",
            "initiatives_short",
            count=initiatives,
            science=science,
            required=needed,
            initiative_level=params.bk_bo_initiative_min_level,
            first=first_b,
            last=year,
            title=Code.BK_BO,
        )
    if route_a.passed:
        return route_a
    if route_b.passed:
        return route_b
    out = Outcome()
    out.fail("R10", "no_route", title=Code.BK_BO)
    out.fail("R10", "route_cstdcs_run", prerequisite=Code.CSTDCS, first=first_a, last=year)
    out.failed.extend(route_a.failed)
    out.fail("R10", "route_excellent_run", first=first_b, last=year, required=params.bk_bo_min_initiatives)
    out.failed.extend(route_b.failed)
    return out


def criteria_bk_bo_unit(history: UnitHistory, year: int, params: RuleParams) -> Outcome:
    out = Outcome()
    length = params.bk_bo_collective_years
    first = year - length + 1
    run_ok = True
    for run_year in _span(first, year):
        record = history.year(run_year)
        good = record.rating == EXCELLENT or counts_as_prerequisite(record, Code.TTLDXS)
        if not good and run_year == year and params.current_year_by_eligibility:
            good = criteria_ttldxs(history, year, params).passed
        if not good:
            out.fail(
                "R10",
                "run_year_not_excellent_or_ttldxs",
                year=run_year,
                rating=record.rating,
                first=first,
                last=year,
                title=Code.BK_BO,
            )
        used = _run_year_used(out, "R10", history, None, Code.BK_BO, run_year, year, length)
        run_ok = run_ok and good and not used
    if run_ok:
        out.ok("R10", "ok_excellent_or_ttldxs_run", first=first, last=year)
    return out


# --- rule 11: Bằng khen of the Prime Minister, Labour Orders -----------------------------------------


def criteria_long_run(
    history: PersonHistory | UnitHistory, code: str, year: int, params: RuleParams
) -> Outcome:
    out = Outcome()
    requirement = params.long_run_awards[code]
    length = requirement.excellent_years
    first = year - length + 1
    person = history if isinstance(history, PersonHistory) else None
    run_ok = True
    for run_year in _span(first, year):
        counts = _check_counts(out, person, run_year, year)
        rating = effective_rating(person, run_year) if person else history.year(run_year).rating
        if rating != EXCELLENT:
            out.fail(
                "R11",
                "run_year_not_excellent",
                year=run_year,
                rating=rating,
                first=first,
                last=year,
                title=code,
            )
        used = _run_year_used(out, "R11", history, None, code, run_year, year, length)
        run_ok = run_ok and counts and rating == EXCELLENT and not used
    if run_ok:
        out.ok("R11", "ok_excellent_run", first=first, last=year)
    _prior_award(out, history, person, code, year, first, requirement.prior_awards)
    if person is not None and requirement.min_initiatives:
        counted_from, _blocker = counting_from(person, year)
        count = sum(
            1
            for run_year in _span(first, year)
            if counted_from is None or run_year >= counted_from
            for initiative in person.year(run_year).initiatives
            if initiative.at_least(requirement.initiative_min_level) and not initiative.is_science_work
        )
        if count >= requirement.min_initiatives:
            out.ok("R11", "ok_initiatives", count=count, science=0, first=first, last=year)
        else:
            out.fail(
                "R11",
                "initiatives_short",
                count=count,
                science=0,
                required=requirement.min_initiatives,
                initiative_level=requirement.initiative_min_level,
                first=first,
                last=year,
                title=code,
            )
    return out


def _prior_award(
    out: Outcome,
    history: PersonHistory | UnitHistory,
    person: PersonHistory | None,
    code: str,
    year: int,
    first: int,
    prior_awards: tuple[str, ...],
) -> None:
    """Rule 11 (with 13 and 14): a prior award before the run that still counts."""
    same = [
        held_year
        for held_year in history.years
        if held_year < year and counts_as_prerequisite(history.years[held_year], code)
    ]
    previous_same = max(same, default=None)
    notes = Outcome()
    found: tuple[int, str] | None = None
    for prior_year in sorted(history.years):
        if prior_year >= first:
            continue
        for held in history.years[prior_year].titles:
            if held.code not in prior_awards:
                continue
            if is_ad_hoc_excluded(held):
                notes.fail("R14", "prior_award_ad_hoc", prerequisite=held.code, year=prior_year)
            elif not _check_counts(notes, person, prior_year, year):
                continue
            elif previous_same is not None and prior_year <= previous_same:
                notes.fail(
                    "R11",
                    "prior_award_used",
                    prerequisite=held.code,
                    year=prior_year,
                    used_by=code,
                    used_year=previous_same,
                )
            else:
                found = (prior_year, held.code)
    if found is not None:
        out.ok("R11", "ok_prior_award", prerequisite=found[1], year=found[0])
        return
    out.fail("R11", "no_prior_award", prerequisites=prior_awards, before=first - 1, title=code)
    out.failed.extend(notes.failed)


# --- rule 6: Tập thể lao động tiên tiến --------------------------------------------------------------


def _share_condition(
    out: Outcome,
    rule: str,
    count: int,
    members: int,
    required: Fraction,
    strict: bool,
    year: int,
    title: str,
) -> None:
    share = Fraction(count, members)
    met = share > required if strict else share >= required
    if met:
        out.ok(rule, "ok_ldtt_share", share=share, year=year)
    else:
        out.fail(
            rule,
            "ldtt_share_low",
            count=count,
            members=members,
            year=year,
            share=share,
            required_share=required,
            strict=strict,
            title=title,
        )


def _member_discipline(out: Outcome, rule: str, record: UnitYear, level: str | None, title: str) -> None:
    if level is None:
        return
    threshold = DISCIPLINE_RANK[level]
    count = sum(
        1 for member_level in record.disciplined_member_levels if DISCIPLINE_RANK[member_level] >= threshold
    )
    if count:
        out.fail(rule, "members_disciplined", count=count, discipline=level, year=record.year, title=title)
    else:
        out.ok(rule, "ok_no_member_discipline", discipline=level, year=record.year)


def criteria_ttldtt(history: UnitHistory, year: int, params: RuleParams) -> Outcome:
    out = Outcome()
    record = history.year(year)
    _rating_condition(out, "R6", record.rating, params.ttldtt_min_rating, Code.TTLDTT, year)
    if record.members == 0:
        out.fail("R6", "no_members", year=year, title=Code.TTLDTT)
    else:
        _share_condition(
            out,
            "R6",
            record.members_with_ldtt,
            record.members,
            params.ttldtt_ldtt_share,
            params.ttldtt_ldtt_share_strict,
            year,
            Code.TTLDTT,
        )
    _member_discipline(out, "R6", record, params.ttldtt_member_discipline_min_level, Code.TTLDTT)
    return out


# --- rule 7: Tập thể lao động xuất sắc ---------------------------------------------------------------


def criteria_ttldxs(history: UnitHistory, year: int, params: RuleParams) -> Outcome:
    out = Outcome()
    record = history.year(year)
    _rating_condition(out, "R7", record.rating, params.ttldxs_min_rating, Code.TTLDXS, year)
    if record.members == 0:
        out.fail("R7", "no_members", year=year, title=Code.TTLDXS)
    else:
        completed = Fraction(record.members_at_least_completed, record.members)
        if completed >= params.ttldxs_completed_share:
            out.ok("R7", "ok_members_completed", share=completed, year=year)
        else:
            out.fail(
                "R7",
                "members_not_completed",
                count=record.members - record.members_at_least_completed,
                members=record.members,
                year=year,
                required_share=params.ttldxs_completed_share,
                title=Code.TTLDXS,
            )
        _share_condition(
            out,
            "R7",
            record.members_with_ldtt,
            record.members,
            params.ttldxs_ldtt_share,
            False,
            year,
            Code.TTLDXS,
        )
    if record.members_with_cstdcs >= params.ttldxs_min_cstdcs_members:
        out.ok("R7", "ok_cstdcs_members", count=record.members_with_cstdcs, year=year)
    else:
        out.fail(
            "R7",
            "cstdcs_members_short",
            count=record.members_with_cstdcs,
            required=params.ttldxs_min_cstdcs_members,
            year=year,
            title=Code.TTLDXS,
        )
    _member_discipline(out, "R7", record, params.ttldxs_member_discipline_min_level, Code.TTLDXS)
    return out


# --- rules 8 and 9: the flags -------------------------------------------------------------------------


def criteria_co_bo(history: UnitHistory, year: int, params: RuleParams) -> Outcome:
    out = Outcome()
    record = history.year(year)
    if record.ranking_position is None:
        out.fail("R8", "ranking_missing", year=year)
    elif record.ranking_position > params.ministry_flag_max_position:
        out.fail(
            "R8",
            "ranking_not_leader" if params.ministry_flag_max_position == 1 else "ranking_not_first",
            position=record.ranking_position,
            required=params.ministry_flag_max_position,
            year=year,
        )
    else:
        out.ok("R8", "ok_ranked_first", position=record.ranking_position, year=year)
    if record.all_targets_met:
        out.ok("R8", "ok_targets_met", year=year)
    else:
        out.fail("R8", "targets_not_met", year=year)
    _prerequisite(
        out,
        "R8",
        record,
        Code.TTLDXS,
        Code.CO_BO,
        year,
        params,
        lambda: criteria_ttldxs(history, year, params),
    )
    return out


def criteria_co_cp(history: UnitHistory, year: int, params: RuleParams) -> Outcome:
    out = Outcome()
    _prerequisite(
        out,
        "R9",
        history.year(year),
        Code.CO_BO,
        Code.CO_CP,
        year,
        params,
        lambda: criteria_co_bo(history, year, params),
    )
    return out
