"""Entry points of the eligibility engine: facts in, verdicts out. Pure: no database, no clock.

Judge a nomination with the parameters in force on its submission date
(`params_in_force(submitted_on)` or the awards.RuleSet of that date).

Readings of the rules decided here (documented once):

- Rule 5, council vote: the threshold is a share of ALL members (`members_total`), not of those
  present. `yes_votes` counts every yes, including the written votes of absent members; `present`
  counts only the members in the room, and only they make the quorum (≥ 2/3 of all members). Award
  codes without a threshold of their own need a simple majority of all members (more than half).
- Rule 2 and 7 quotas, rule 8: places are `floor(share × base)` (at least the configured minimum);
  eligible candidates are ranked by the caller's `merit_key` (lower first; none: all tied), then by
  the rule 18 tie-break key, which ends with the subject id so the order is total.
- Rule 12: the same subject, year and achievement cannot get the same award twice, nor two
  commendation forms; an emulation title and a form for the same year may coexist.
- Rule 15: a unit dissolved on or before the decision date (`on`), without a successor, is refused;
  when `on` is not given, any recorded dissolution without a successor refuses it.
- Rule 20: registering for a title also registers for the lower titles of the same ladder.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from math import ceil, floor
from typing import Any

from awards.eligibility import rules
from awards.eligibility.facts import (
    COLLECTIVE_TITLES,
    COMMENDATION_FORMS,
    DOCUMENTS,
    INDIVIDUAL_TITLES,
    LADDERS,
    AwardClaim,
    Code,
    HeldTitle,
    PersonHistory,
    UnitHistory,
)
from awards.eligibility.params import RuleParams
from awards.eligibility.verdicts import Outcome, Reason, Verdict

PERSON_CODES = (
    *INDIVIDUAL_TITLES,
    Code.GK,
    Code.BK_BO,
    Code.BK_TTG,
    Code.HCLD3,
    Code.HCLD2,
    Code.HCLD1,
    Code.KNC,
)
UNIT_CODES = (
    *COLLECTIVE_TITLES,
    Code.GK,
    Code.BK_BO,
    Code.BK_TTG,
    Code.HCLD3,
    Code.HCLD2,
    Code.HCLD1,
    Code.KNC,
)
LONG_RUN_CODES = (Code.BK_TTG, Code.HCLD3, Code.HCLD2, Code.HCLD1)

_PERSON_CRITERIA: dict[str, tuple[str, Callable[[PersonHistory, int, RuleParams], Outcome]]] = {
    Code.LDTT: ("R1", rules.criteria_ldtt),
    Code.CSTDCS: ("R2", rules.criteria_cstdcs),
    Code.CSTD_BO: ("R3", rules.criteria_cstd_bo),
    Code.CSTD_TQ: ("R4", rules.criteria_cstd_tq),
    Code.BK_BO: ("R10", rules.criteria_bk_bo_person),
}
_UNIT_CRITERIA: dict[str, tuple[str, Callable[[UnitHistory, int, RuleParams], Outcome]]] = {
    Code.TTLDTT: ("R6", rules.criteria_ttldtt),
    Code.TTLDXS: ("R7", rules.criteria_ttldxs),
    Code.CO_BO: ("R8", rules.criteria_co_bo),
    Code.CO_CP: ("R9", rules.criteria_co_cp),
    Code.BK_BO: ("R10", rules.criteria_bk_bo_unit),
}


def _code(title_code: str, allowed: tuple[str, ...], subject: str) -> str:
    if title_code not in allowed:
        raise ValueError(
            f"{title_code!r} is not an award for a {subject}; expected one of {', '.join(allowed)}"
        )
    return str(title_code)


def _registered(registered: frozenset[str], code: str) -> bool:
    """Rule 20: registered for `code` or for a higher title of its ladder."""
    for ladder in LADDERS:
        if code in ladder:
            return any(title in registered for title in ladder[ladder.index(code) :])
    return code in registered


def _general(
    out: Outcome,
    open_reviews: frozenset[str],
    registered: frozenset[str],
    code: str,
    year: int,
    params: RuleParams,
) -> None:
    """Rules 13 and 20, for every subject and award."""
    if open_reviews:
        out.fail("R13", "open_review", kinds=sorted(open_reviews))
    if params.registration_required and code in params.registration_titles:
        if _registered(registered, code):
            out.ok("R20", "ok_registered", title=code, year=year)
        else:
            out.fail("R20", "not_registered", title=code, year=year)


def _criteria(
    table: dict[str, tuple[str, Callable[[Any, int, RuleParams], Outcome]]],
    history: PersonHistory | UnitHistory,
    code: str,
    year: int,
    params: RuleParams,
) -> tuple[str, Outcome]:
    if code in table:
        rule, criteria = table[code]
        return rule, criteria(history, year, params)
    if code in LONG_RUN_CODES and code in params.long_run_awards:
        return "R11", rules.criteria_long_run(history, code, year, params)
    out = Outcome()
    out.ok("", "no_criteria_checked", title=code)
    return "", out


def check_person(history: PersonHistory, title_code: str, year: int, params: RuleParams) -> Verdict:
    """Whether a staff member qualifies for `title_code` for `year` (rules 1–4, 10, 11, 13, 14, 17, 20)."""
    code = _code(title_code, PERSON_CODES, "person")
    out = Outcome()
    _general(out, history.open_reviews, history.year(year).registered_titles, code, year, params)
    rule, outcome = _criteria(_PERSON_CRITERIA, history, code, year, params)
    out.absorb(outcome)
    return out.verdict(history.staff_id, code, year, rule)


def person_qualifies(history: PersonHistory, title_code: str, year: int, params: RuleParams) -> bool:
    """`check_person(...).eligible`, the same checks without the verdict's reasons (cheaper)."""
    code = _code(title_code, PERSON_CODES, "person")
    out = Outcome()
    _general(out, history.open_reviews, history.year(year).registered_titles, code, year, params)
    if out.failed:
        return False
    return _criteria(_PERSON_CRITERIA, history, code, year, params)[1].passed


def _unit_outcome(
    history: UnitHistory, title_code: str, year: int, params: RuleParams, on: date | None
) -> tuple[str, str, Outcome]:
    code = _code(title_code, UNIT_CODES, "unit")
    out = Outcome()
    _general(out, history.open_reviews, history.year(year).registered_titles, code, year, params)
    if (
        history.dissolved_on is not None
        and not history.has_successor
        and (on is None or history.dissolved_on <= on)
    ):
        out.fail("R15", "unit_dissolved", on=history.dissolved_on)
    rule, outcome = _criteria(_UNIT_CRITERIA, history, code, year, params)
    out.absorb(outcome)
    return code, rule, out


def check_unit(
    history: UnitHistory, title_code: str, year: int, params: RuleParams, *, on: date | None = None
) -> Verdict:
    """Whether a unit qualifies for `title_code` for `year` (rules 6–11, 13–15, 20).

    `on` is the decision (or judgement) date for rule 15; see the module docstring.
    """
    code, rule, out = _unit_outcome(history, title_code, year, params, on)
    return out.verdict(history.unit_id, code, year, rule)


def unit_qualifies(
    history: UnitHistory, title_code: str, year: int, params: RuleParams, *, on: date | None = None
) -> bool:
    """`check_unit(...).eligible`, the same checks without the verdict's reasons (cheaper)."""
    return _unit_outcome(history, title_code, year, params, on)[2].passed


def best_titles_for_person(history: PersonHistory, year: int, params: RuleParams) -> list[Verdict]:
    """The verdicts for every individual emulation title, lowest first (LĐTT … CSTĐ toàn quốc)."""
    return [check_person(history, code, year, params) for code in INDIVIDUAL_TITLES]


def best_titles_for_unit(
    history: UnitHistory, year: int, params: RuleParams, *, on: date | None = None
) -> list[Verdict]:
    """The verdicts for every collective emulation title, lowest first (TTLĐTT … Government flag)."""
    return [check_unit(history, code, year, params, on=on) for code in COLLECTIVE_TITLES]


def ladder_position(verdicts: Sequence[Verdict]) -> tuple[Verdict | None, Verdict | None]:
    """From `best_titles_*`: the highest title qualified for, and the next one up (with its reasons).

    "Qualifies for CSTĐCS; not for CSTĐ cấp Bộ because …". Either may be None.
    """
    highest = None
    for index, verdict in enumerate(verdicts):
        if verdict.eligible:
            highest = index
    if highest is None:
        return None, verdicts[0] if verdicts else None
    following = verdicts[highest + 1] if highest + 1 < len(verdicts) else None
    return verdicts[highest], following


# --- rule 5: council vote ---------------------------------------------------------------------------


def _at_least(share: Fraction, total: int, *, strict: bool = False) -> int:
    """The smallest count n with n / total ≥ share (or > share when strict)."""
    if strict:
        return floor(share * total) + 1
    return ceil(share * total)


def council_vote_passes(
    title_code: str, yes_votes: int, members_total: int, present: int, params: RuleParams
) -> Verdict:
    """Rule 5: quorum (members present) and the yes threshold over ALL members."""
    for name, value in (("yes_votes", yes_votes), ("members_total", members_total), ("present", present)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be a whole number ≥ 0, not {value!r}")
    if members_total == 0:
        raise ValueError("a council has at least one member")
    if yes_votes > members_total or present > members_total:
        raise ValueError("yes votes and members present cannot exceed the council's members")
    code = str(title_code)
    out = Outcome()
    quorum = _at_least(params.quorum_share, members_total)
    if present >= quorum:
        out.ok("R5", "ok_quorum", present=present, members=members_total)
    else:
        out.fail(
            "R5",
            "quorum_not_met",
            present=present,
            members=members_total,
            required=quorum,
            required_share=params.quorum_share,
            strict=False,
        )
    share, strict = params.vote_threshold(code)
    needed = _at_least(share, members_total, strict=strict)
    if yes_votes >= needed:
        out.ok("R5", "ok_votes", yes=yes_votes, members=members_total)
    else:
        out.fail(
            "R5",
            "votes_short",
            yes=yes_votes,
            members=members_total,
            required=needed,
            required_share=share,
            strict=strict,
            title=code,
        )
    return out.verdict(None, code, None, "R5")


# --- rule 16: quota of excellent ratings -------------------------------------------------------------


def rating_quota_ok(excellent: int, good: int, params: RuleParams, exception: bool = False) -> Verdict:
    """Rule 16: "excellent" ≤ 20 % of "good" (25 % with the exception) within a comparable group."""
    for name, value in (("excellent", excellent), ("good", good)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be a whole number ≥ 0, not {value!r}")
    base = good if params.rating_quota_base == "good" else good + excellent
    share = params.rating_quota_share_exception if exception else params.rating_quota_share
    allowed = floor(share * base)
    out = Outcome()
    if excellent <= allowed:
        out.ok("R16", "ok_rating_quota", excellent=excellent, allowed=allowed)
    else:
        out.fail(
            "R16",
            "rating_quota_exceeded",
            excellent=excellent,
            base_count=base,
            base=params.rating_quota_base,
            share=share,
            allowed=allowed,
        )
    return out.verdict(None, None, None, "R16")


# --- rule 19: dossier ---------------------------------------------------------------------------------


def dossier_complete(title_code: str, documents: Iterable[str], params: RuleParams) -> Verdict:
    """Rule 19: the documents every dossier needs, plus the proofs the award needs (one of each group)."""
    present = set(documents)
    unknown = sorted(present - set(DOCUMENTS))
    if unknown:
        raise ValueError(f"unknown document kind(s): {', '.join(unknown)}")
    code = str(title_code)
    out = Outcome()
    groups = [(document,) for document in params.dossier_documents] + list(params.dossier_extra.get(code, ()))
    for group in groups:
        if not present.intersection(group):
            out.fail("R19", "document_missing", title=code, documents=group)
    if out.passed:
        out.ok("R19", "ok_dossier", title=code)
    return out.verdict(None, code, None, "R19")


# --- rule 14: ad-hoc awards ---------------------------------------------------------------------------


def is_ad_hoc_excluded(held: HeldTitle) -> bool:
    """Rule 14: True when the award was ad hoc or thematic and so never counts as a prerequisite."""
    return rules.is_ad_hoc_excluded(held)


# --- rule 18: tie-break -------------------------------------------------------------------------------


def _sortable(value: Hashable) -> tuple[int, Any]:
    if isinstance(value, int) and not isinstance(value, bool):
        return (0, value)
    return (1, str(value))


def tie_break_key(candidate: PersonHistory | UnitHistory, year: int, params: RuleParams) -> tuple[Any, ...]:
    """Rule 18: women first; collectives with at least 70 % women first; then the id (a total order)."""
    if isinstance(candidate, PersonHistory):
        return (0 if candidate.gender == "female" else 1, _sortable(candidate.staff_id))
    record = candidate.year(year)
    preferred = (
        record.members > 0 and Fraction(record.women_members, record.members) >= params.tie_break_women_share
    )
    return (0 if preferred else 1, _sortable(candidate.unit_id))


# --- rule 12: one achievement, one award --------------------------------------------------------------


def one_achievement_one_award(existing_awards: Iterable[AwardClaim], proposed: AwardClaim) -> Verdict:
    """Rule 12: refuse a second award for the same subject, year and achievement (see module docstring)."""
    out = Outcome()
    for existing in existing_awards:
        same = (
            existing.subject == proposed.subject
            and existing.year == proposed.year
            and existing.achievement == proposed.achievement
        )
        both_forms = existing.code in COMMENDATION_FORMS and proposed.code in COMMENDATION_FORMS
        if same and (existing.code == proposed.code or both_forms):
            out.fail(
                "R12",
                "same_achievement_awarded",
                existing=existing.code,
                year=proposed.year,
                title=proposed.code,
            )
    if out.passed:
        out.ok("R12", "ok_one_award", year=proposed.year)
    return out.verdict(proposed.subject, proposed.code, proposed.year, "R12")


# --- quotas and selections (rules 2, 7, 8, 9 with 18) -------------------------------------------------


def _apply_quota(
    histories: Sequence[PersonHistory | UnitHistory],
    verdicts: list[Verdict],
    places: int,
    code: str,
    year: int,
    params: RuleParams,
    rule: str,
    merit_key: Callable[[Any], Any] | None,
) -> list[Verdict]:
    eligible = [index for index, verdict in enumerate(verdicts) if verdict.eligible]
    order = sorted(
        eligible,
        key=lambda index: (
            merit_key(histories[index]) if merit_key else 0,
            tie_break_key(histories[index], year, params),
        ),
    )
    inside = set(order[:places])
    result = list(verdicts)
    for index in eligible:
        verdict = verdicts[index]
        if index in inside:
            extra = Reason("ok_within_quota", {"places": places, "title": code}, met=True, rule=rule)
            result[index] = _with(
                verdict, eligible=True, reasons=(*verdict.reasons, extra), refs=(rule, "R18")
            )
        else:
            reason = Reason(
                "quota_exceeded", {"title": code, "places": places, "candidates": len(eligible)}, rule=rule
            )
            result[index] = _with(verdict, eligible=False, reasons=(reason,), refs=(rule, "R18"))
    return result


def _with(verdict: Verdict, *, eligible: bool, reasons: tuple[Reason, ...], refs: tuple[str, ...]) -> Verdict:
    """The verdict with new reasons; its rule references are those of the reasons shown."""
    all_refs = sorted(
        {*refs, *(reason.rule for reason in reasons if reason.rule)}, key=lambda ref: int(ref[1:])
    )
    return Verdict(
        subject=verdict.subject,
        title_code=verdict.title_code,
        year=verdict.year,
        eligible=eligible,
        reasons=reasons,
        rule_refs=tuple(all_refs),
    )


def apply_cstdcs_quota(
    histories: Sequence[PersonHistory],
    year: int,
    params: RuleParams,
    *,
    ldtt_holders: int | None = None,
    merit_key: Callable[[PersonHistory], Any] | None = None,
) -> list[Verdict]:
    """Rule 2 with its optional quota: the CSTĐCS verdicts of a unit's staff, in input order.

    When the quota is on, at most `floor(15 % × LĐTT holders)` (at least `cstdcs_quota_minimum`) of
    the eligible keep their place; `ldtt_holders` defaults to the staff given who qualify for LĐTT.
    """
    verdicts = [check_person(history, Code.CSTDCS, year, params) for history in histories]
    if not params.cstdcs_quota_enabled:
        return verdicts
    if ldtt_holders is None:
        ldtt_holders = sum(check_person(history, Code.LDTT, year, params).eligible for history in histories)
    places = max(params.cstdcs_quota_minimum, floor(params.cstdcs_quota_share * ldtt_holders))
    return _apply_quota(histories, verdicts, places, Code.CSTDCS, year, params, "R2", merit_key)


def apply_ttldxs_quota(
    histories: Sequence[UnitHistory],
    year: int,
    params: RuleParams,
    *,
    ttldtt_units: int | None = None,
    merit_key: Callable[[UnitHistory], Any] | None = None,
    on: date | None = None,
) -> list[Verdict]:
    """Rule 7 with its optional quota: at most 20 % of the TTLĐTT units (at least one), in input order."""
    verdicts = [check_unit(history, Code.TTLDXS, year, params, on=on) for history in histories]
    if not params.ttldxs_quota_enabled:
        return verdicts
    if ttldtt_units is None:
        ttldtt_units = sum(
            check_unit(history, Code.TTLDTT, year, params, on=on).eligible for history in histories
        )
    places = max(params.ttldxs_quota_minimum, floor(params.ttldxs_quota_share * ttldtt_units))
    return _apply_quota(histories, verdicts, places, Code.TTLDXS, year, params, "R7", merit_key)


def select_ministry_flags(
    histories: Sequence[UnitHistory], year: int, params: RuleParams, *, on: date | None = None
) -> list[Verdict]:
    """Rule 8: the ministry-flag verdicts of the given units, at most N per cluster, in input order.

    Within a cluster the eligible units are ordered by ranking position, then the rule 18 key.
    """
    verdicts = [check_unit(history, Code.CO_BO, year, params, on=on) for history in histories]
    by_cluster: dict[Hashable, list[int]] = defaultdict(list)
    for index, verdict in enumerate(verdicts):
        if verdict.eligible:
            by_cluster[histories[index].year(year).cluster_id].append(index)
    result = list(verdicts)
    places = params.ministry_flags_per_cluster
    for indexes in by_cluster.values():
        order = sorted(
            indexes,
            key=lambda index: (
                histories[index].year(year).ranking_position,
                tie_break_key(histories[index], year, params),
            ),
        )
        winners = order[:places]
        for index in order:
            verdict = verdicts[index]
            if index in winners:
                extra = Reason("ok_cluster_flag", {"year": year}, met=True, rule="R8")
                result[index] = _with(verdict, eligible=True, reasons=(*verdict.reasons, extra), refs=("R8",))
            else:
                reason = Reason(
                    "flag_taken",
                    {"year": year, "places": places, "winner": [histories[i].unit_id for i in winners]},
                    rule="R8",
                )
                result[index] = _with(verdict, eligible=False, reasons=(reason,), refs=("R8", "R18"))
    return result


def government_flag_candidates(
    histories: Sequence[UnitHistory], year: int, params: RuleParams, *, on: date | None = None
) -> list[Verdict]:
    """Rule 9: the units eligible for the Government flag (ministry-flag holders for `year`),
    ordered by the rule 18 key; the council then selects among them."""
    pairs = [(history, check_unit(history, Code.CO_CP, year, params, on=on)) for history in histories]
    eligible = [pair for pair in pairs if pair[1].eligible]
    eligible.sort(key=lambda pair: tie_break_key(pair[0], year, params))
    return [verdict for _history, verdict in eligible]


# --- reward amounts -----------------------------------------------------------------------------------


def base_salary_on(decision_date: date, params: RuleParams) -> Decimal:
    """The base salary (mức lương cơ sở) in force on `decision_date`."""
    amount = None
    for effective_from, value in params.base_salaries:
        if effective_from <= decision_date:
            amount = value
    if amount is None:
        raise ValueError(f"no base salary is recorded for {decision_date:%d/%m/%Y}")
    return amount


def reward_amount(
    title_code: str, decision_date: date, params: RuleParams, *, collective: bool | None = None
) -> Decimal:
    """Coefficient × base salary on the decision date, in whole VND (half up). Never a float.

    Forms given to persons and units (Bằng khen, Labour Orders, Giấy khen) have two coefficients:
    pass `collective=True` or `False` for them; titles know their subject.
    """
    code = str(title_code)
    tables = {False: params.individual_coefficients, True: params.collective_coefficients}
    if collective is None:
        matches = [subject for subject, table in tables.items() if code in table]
        if len(matches) != 1:
            raise ValueError(
                f"{code!r} has {'two' if matches else 'no'} reward coefficients; say whether it is for a unit"
            )
        collective = matches[0]
    table = tables[collective]
    if code not in table:
        raise ValueError(f"{code!r} has no reward coefficient for a {'unit' if collective else 'person'}")
    amount = table[code] * base_salary_on(decision_date, params)
    return amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)
