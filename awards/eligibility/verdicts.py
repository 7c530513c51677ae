"""Verdicts and their reasons: what the engine answers, in sentences a person can read.

A `Reason` keeps a stable `code` (tests and code compare codes, never text), the values of its
message (`params`: years, rating codes, award codes, ISO dates, shares as "p/q" strings, all JSON
ready) and the rule of docs/domain.md it comes from ("R1" … "R20"). Its `text` is rendered when read, in
the active language, so a verdict stored as JSON (`Verdict.to_dict`) reads in Vietnamese or English
later. A `met` reason is a condition that holds; the others are what is missing.

An eligible verdict lists the conditions that made it (short); an ineligible one lists EVERY
condition that failed, including those of the prerequisites it depends on.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_noop, pgettext

# Failed conditions first, then met ones (codes starting with "ok_"). Placeholders only: the values
# are formatted by `_display` (labels translated, dates d/m/Y, shares as percentages).
MESSAGES: Mapping[str, str] = MappingProxyType(
    {
        # General blocks (rules 13, 15, 20).
        "open_review": gettext_noop("Open matters block any award until they are closed: %(kinds)s."),
        "not_registered": gettext_noop(
            "No registration for %(title)s in %(year)s: without one the title is not considered."
        ),
        "unit_dissolved": gettext_noop(
            "The unit was dissolved on %(on)s and has no successor: it cannot be awarded."
        ),
        # Ratings and disciplines (rules 1, 6, 7, 13, 17).
        "no_rating": gettext_noop("No annual rating is recorded for %(year)s; %(title)s needs one."),
        "rating_too_low": gettext_noop(
            "Rated “%(rating)s” for %(year)s; %(title)s needs “%(required_rating)s” or better."
        ),
        "rating_forced_by_discipline": gettext_noop(
            "A discipline in %(year)s makes the rating count as “Not completed” (recorded: “%(rating)s”); "
            "%(title)s needs “%(required_rating)s” or better."
        ),
        "discipline_in_year": gettext_noop("Disciplined in %(year)s (%(discipline)s from %(start)s)."),
        "months_short": gettext_noop(
            "Months worked in %(year)s, maternity leave included: %(months)s; at least %(required)s are needed."
        ),
        "months_counted_short": gettext_noop(
            "Months counted as worked in %(year)s (months worked %(worked)s + maternity leave %(maternity)s): "
            "%(months)s; %(title)s needs at least %(required)s."
        ),
        "before_discipline_end": gettext_noop(
            "%(year)s does not count: a discipline ended on %(end)s, and achievements count only from its end."
        ),
        "discipline_not_ended": gettext_noop(
            "%(year)s does not count: the discipline in force since %(start)s has not ended."
        ),
        # Individual titles (rules 2, 3, 4).
        "no_cstdcs_ground": gettext_noop(
            "No ground for %(title)s in %(year)s: rated “%(rating)s”, not “Excellently completed”, no "
            "initiative recognised at %(initiative_level)s or above, and no accepted science work."
        ),
        "prerequisite_missing": gettext_noop(
            "%(title)s requires %(prerequisite)s for %(year)s, which is not met."
        ),
        "run_year_missing": gettext_noop(
            "%(prerequisite)s missing for %(year)s: %(title)s needs it every year from %(first)s to %(last)s."
        ),
        "year_used": gettext_noop(
            "%(year)s was already counted for %(used_by)s %(used_year)s and cannot count again."
        ),
        "title_marked_used": gettext_noop(
            "%(prerequisite)s %(year)s is recorded as already counted for %(used_by)s."
        ),
        "no_initiative_in_run": gettext_noop(
            "No initiative recognised at %(initiative_level)s or above from %(first)s to %(last)s; "
            "%(title)s needs one."
        ),
        "no_nationwide_initiative": gettext_noop(
            "No initiative with nationwide effect from %(first)s to %(last)s; %(title)s needs one."
        ),
        # Commendation forms (rules 10, 11, 14).
        "no_route": gettext_noop("Neither way to %(title)s is complete; what each way lacks follows."),
        "route_cstdcs_run": gettext_noop(
            "Way 1 – %(prerequisite)s every year from %(first)s to %(last)s; this way lacks:"
        ),
        "route_excellent_run": gettext_noop(
            "Way 2 – rated “Excellently completed” every year from %(first)s to %(last)s, with "
            "%(required)s initiatives or %(required)s accepted science works; this way lacks:"
        ),
        "run_year_not_excellent": gettext_noop(
            "Rated “%(rating)s” for %(year)s, not “Excellently completed”: %(title)s needs it every year "
            "from %(first)s to %(last)s."
        ),
        "run_year_not_excellent_or_ttldxs": gettext_noop(
            "Rated “%(rating)s” for %(year)s and no Excellent labour collective title: %(title)s needs one "
            "or the other every year from %(first)s to %(last)s."
        ),
        "initiatives_short": gettext_noop(
            "Initiatives at %(initiative_level)s or above from %(first)s to %(last)s: %(count)s; accepted science works: %(science)s; %(title)s needs %(required)s of either."
        ),
        "no_prior_award": gettext_noop(
            "No %(prerequisites)s in %(before)s or earlier that counts; %(title)s needs one before its run "
            "of excellent years."
        ),
        "prior_award_ad_hoc": gettext_noop(
            "The %(prerequisite)s of %(year)s rewarded an ad-hoc or thematic achievement and cannot serve "
            "as a prerequisite."
        ),
        "prior_award_used": gettext_noop(
            "The %(prerequisite)s of %(year)s was already followed by %(used_by)s %(used_year)s and cannot "
            "count again."
        ),
        # Collective titles (rules 6, 7, 8).
        "no_members": gettext_noop("No members are recorded for %(year)s; %(title)s cannot be judged."),
        "ldtt_share_low": gettext_noop(
            "Members qualifying for Advanced labourer in %(year)s: %(count)s of %(members)s (%(share)s); %(title)s needs %(bound)s."
        ),
        "members_not_completed": gettext_noop(
            "Members rated below “Completed” in %(year)s: %(count)s of %(members)s; %(title)s needs %(required_share)s of members rated “Completed” or better."
        ),
        "cstdcs_members_short": gettext_noop(
            "Members qualifying for Grassroots emulation fighter in %(year)s: %(count)s; %(title)s needs at least %(required)s."
        ),
        "members_disciplined": gettext_noop(
            "Members disciplined at “%(discipline)s” level or worse in %(year)s: %(count)s; %(title)s allows none."
        ),
        "ranking_missing": gettext_noop("No final cluster ranking is recorded for %(year)s."),
        "ranking_not_first": gettext_noop(
            "Ranked %(position)s in its cluster for %(year)s; only position %(required)s or better qualifies."
        ),
        "ranking_not_leader": gettext_noop(
            "Ranked %(position)s in its cluster for %(year)s; only the unit leading its cluster (rank 1) qualifies."
        ),
        "targets_not_met": gettext_noop("Not every task-area target was met in %(year)s."),
        "flag_taken": gettext_noop(
            "Another unit of the cluster ranks ahead for the %(year)s flag (at most %(places)s per cluster)."
        ),
        "quota_exceeded": gettext_noop(
            "Outside the quota for %(title)s (places: %(places)s; qualifying candidates: %(candidates)s): others rank ahead."
        ),
        # Council, rating quota, dossier, one award (rules 5, 12, 16, 19).
        "quorum_not_met": gettext_noop(
            "Council members present: %(present)s of %(members)s; a quorum needs %(required)s (%(bound)s)."
        ),
        "votes_short": gettext_noop(
            "Yes votes: %(yes)s of %(members)s council members; %(title)s needs %(required)s (%(bound)s of all members, written votes of absent members included)."
        ),
        "rating_quota_exceeded": gettext_noop(
            "Rated “Excellently completed”: %(excellent)s, more than %(share)s of the %(base_count)s rated %(base)s; at most %(allowed)s are allowed."
        ),
        "document_missing": gettext_noop("The dossier for %(title)s lacks: %(documents)s."),
        "same_achievement_awarded": gettext_noop(
            "This achievement of %(year)s already received %(existing)s; one achievement gets one award, so "
            "%(title)s cannot be added."
        ),
        # Conditions met.
        "ok_registered": gettext_noop("Registered for %(title)s in %(year)s."),
        "ok_rating": gettext_noop("Rated “%(rating)s” for %(year)s."),
        "ok_no_discipline": gettext_noop("No discipline in %(year)s."),
        "ok_months": gettext_noop("Months worked in %(year)s: %(months)s."),
        "ok_months_counted": gettext_noop(
            "Months counted as worked in %(year)s (months worked %(worked)s + maternity leave %(maternity)s): "
            "%(months)s."
        ),
        "ok_prerequisite": gettext_noop("Meets %(prerequisite)s for %(year)s."),
        "ok_prerequisite_held": gettext_noop("Holds %(prerequisite)s for %(year)s."),
        "ok_excellent": gettext_noop("Rated “Excellently completed” for %(year)s."),
        "ok_initiative": gettext_noop("Initiative recognised in %(year)s."),
        "ok_science_work": gettext_noop("Accepted science work in %(year)s."),
        "ok_run": gettext_noop("%(prerequisite)s every year from %(first)s to %(last)s."),
        "ok_excellent_run": gettext_noop(
            "Rated “Excellently completed” every year from %(first)s to %(last)s."
        ),
        "ok_excellent_or_ttldxs_run": gettext_noop(
            "Rated “Excellently completed” or Excellent labour collective every year from %(first)s to %(last)s."
        ),
        "ok_run_initiative": gettext_noop(
            "Initiative recognised at %(initiative_level)s or above between %(first)s and %(last)s."
        ),
        "ok_nationwide_initiative": gettext_noop(
            "Initiative with nationwide effect between %(first)s and %(last)s."
        ),
        "ok_initiatives": gettext_noop(
            "Initiatives: %(count)s, accepted science works: %(science)s, between %(first)s and %(last)s."
        ),
        "ok_prior_award": gettext_noop("Prior %(prerequisite)s in %(year)s."),
        "ok_ldtt_share": gettext_noop("%(share)s of members qualify for Advanced labourer in %(year)s."),
        "ok_members_completed": gettext_noop("%(share)s of members rated “Completed” or better in %(year)s."),
        "ok_cstdcs_members": gettext_noop(
            "Members qualifying for Grassroots emulation fighter in %(year)s: %(count)s."
        ),
        "ok_no_member_discipline": gettext_noop(
            "No member disciplined at “%(discipline)s” level or worse in %(year)s."
        ),
        "ok_ranked_first": gettext_noop("Ranked %(position)s in its cluster for %(year)s."),
        "ok_targets_met": gettext_noop("Every task-area target met in %(year)s."),
        "ok_cluster_flag": gettext_noop("Selected as the cluster's flag holder for %(year)s."),
        "ok_within_quota": gettext_noop("Within the quota for %(title)s (places: %(places)s)."),
        "ok_quorum": gettext_noop("Council members present: %(present)s of %(members)s, a quorum."),
        "ok_votes": gettext_noop("Yes votes: %(yes)s of %(members)s council members."),
        "ok_rating_quota": gettext_noop(
            "Rated “Excellently completed”: %(excellent)s, within the %(allowed)s allowed."
        ),
        "ok_dossier": gettext_noop("The dossier for %(title)s is complete."),
        "ok_one_award": gettext_noop("No other award for this achievement of %(year)s."),
        "no_criteria_checked": gettext_noop(
            "No legal criteria are checked for %(title)s; the council judges the achievement."
        ),
    }
)


HEADING_CODES = frozenset({"route_cstdcs_run", "route_excellent_run"})


# --- labels, translated when read -------------------------------------------------------------------


def title_label(code: str) -> str:
    labels = {
        "LDTT": gettext("Advanced labourer"),
        "CSTDCS": gettext("Grassroots emulation fighter"),
        "CSTD_BO": gettext("Ministry-level emulation fighter"),
        "CSTD_TQ": gettext("National emulation fighter"),
        "TTLDTT": gettext("Advanced labour collective"),
        "TTLDXS": gettext("Excellent labour collective"),
        "CO_BO": gettext("Emulation flag of the Ministry of Finance"),
        "CO_CP": gettext("Emulation flag of the Government"),
        "GK": gettext("Certificate of commendation"),
        "BK_BO": gettext("Certificate of merit of the Minister"),
        "BK_TTG": gettext("Certificate of merit of the Prime Minister"),
        "HCLD3": gettext("Labour Order, third class"),
        "HCLD2": gettext("Labour Order, second class"),
        "HCLD1": gettext("Labour Order, first class"),
        "KNC": gettext("Commemorative medal"),
    }
    return labels.get(code, code)


def rating_label(rating: str | None) -> str:
    if rating is None:
        return gettext("none recorded")
    labels = {
        "excellent": pgettext("rating", "Excellently completed"),
        "good": pgettext("rating", "Well completed"),
        "completed": pgettext("rating", "Completed"),
        "not_completed": pgettext("rating", "Not completed"),
    }
    return labels.get(rating, rating)


def discipline_label(level: str) -> str:
    labels = {
        "reprimand": gettext("Reprimand"),
        "warning": gettext("Warning"),
        "demotion": gettext("Demotion"),
        "dismissal": gettext("Dismissal"),
    }
    return labels.get(level, level)


def initiative_level_label(level: str) -> str:
    labels = {
        "unit": pgettext("initiative level, in a sentence", "unit level"),
        "ministry": pgettext("initiative level, in a sentence", "ministry level"),
        "national": pgettext("initiative level, in a sentence", "national level"),
    }
    return labels.get(level, level)


def review_label(kind: str) -> str:
    labels = {
        "discipline_review": gettext("Discipline review"),
        "investigation": gettext("Investigation"),
        "inspection": gettext("Inspection"),
        "complaint": gettext("Complaint or denunciation"),
    }
    return labels.get(kind, kind)


def document_label(kind: str) -> str:
    labels = {
        "proposal": gettext("Proposal (tờ trình)"),
        "achievement_report": gettext("Achievement report"),
        "minutes": gettext("Minutes of the unit's meeting"),
        "vote_result": gettext("Vote result"),
        "initiative_proof": gettext("Proof of the recognised initiative"),
        "rating_proof": gettext("Proof of the excellent rating"),
    }
    return labels.get(kind, kind)


def percent(share: str | Fraction) -> str:
    """A share ("2/3", Fraction(4, 5)) as a percentage: "66.7 %", "80 %" (decimal mark of the language)."""
    value = Fraction(share) * 100
    if value.denominator == 1:
        number = str(value.numerator)
    else:
        rounded = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
        number = number_format(rounded, decimal_pos=1)
    return gettext("%(number)s %%") % {"number": number}


def _date(value: str | None) -> str:
    return "" if value is None else date.fromisoformat(value).strftime("%d/%m/%Y")


def _join(values: Iterable[str], separator: str) -> str:
    return separator.join(values)


_FORMATTERS: dict[str, Callable[[Any], str]] = {
    "title": title_label,
    "prerequisite": title_label,
    "used_by": title_label,
    "existing": title_label,
    "prerequisites": lambda codes: _join((title_label(code) for code in codes), gettext(" or ")),
    "rating": rating_label,
    "required_rating": rating_label,
    "discipline": discipline_label,
    "initiative_level": initiative_level_label,
    "kinds": lambda kinds: _join((review_label(kind) for kind in kinds), ", "),
    "documents": lambda kinds: _join((document_label(kind) for kind in kinds), gettext(" or ")),
    "on": _date,
    "start": _date,
    "end": _date,
    "share": percent,
    "required_share": percent,
    "base": lambda base: (
        gettext("“Well completed”") if base == "good" else gettext("“Well completed” or better")
    ),
}


def _display(params: Mapping[str, Any]) -> dict[str, Any]:
    shown = {key: _FORMATTERS[key](value) if key in _FORMATTERS else value for key, value in params.items()}
    if "strict" in params and "required_share" in params:
        share = percent(params["required_share"])
        shown["bound"] = (
            gettext("more than %(share)s") if params["strict"] else gettext("at least %(share)s")
        ) % {"share": share}
    return shown


_PLAIN = frozenset({int, str, bool, type(None)})


def _frozen(value: Any) -> Any:
    if type(value) in _PLAIN:  # the common case, checked first: the engine builds many reasons
        return value
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return tuple(_frozen(item) for item in items)
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return str(value)  # a StrEnum member becomes its plain value
    return value


def _thawed(value: Any) -> Any:
    return [_thawed(item) for item in value] if isinstance(value, tuple) else value


@dataclass(frozen=True, eq=True)
class Reason:
    """One condition of a verdict: `code` (stable), `params` (JSON-ready), `met`, and its `rule`."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)
    met: bool = False
    rule: str = ""

    def __post_init__(self) -> None:
        if self.code not in MESSAGES:
            raise ValueError(f"no message for reason code {self.code!r}")
        object.__setattr__(
            self, "params", MappingProxyType({key: _frozen(value) for key, value in self.params.items()})
        )

    def __hash__(self) -> int:
        return hash((self.code, tuple(sorted(self.params.items())), self.met, self.rule))

    @property
    def is_heading(self) -> bool:
        """A heading that groups the reasons after it (one way to a title), not a condition."""
        return self.code in HEADING_CODES

    @property
    def text(self) -> str:
        """The sentence in the active language."""
        return gettext(MESSAGES[self.code]) % _display(self.params)

    def __str__(self) -> str:
        return self.text

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "params": {key: _thawed(value) for key, value in self.params.items()},
            "met": self.met,
            "rule": self.rule,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Reason:
        return cls(
            code=data["code"], params=data.get("params", {}), met=data["met"], rule=data.get("rule", "")
        )


def _rule_number(ref: str) -> int:
    return int(ref[1:]) if ref[1:].isdigit() else 0


@dataclass(frozen=True)
class Verdict:
    """The answer for one subject, award and year.

    `reasons` lists every failed condition when `eligible` is False, or the conditions that made it
    when True. `rule_refs` are the docs/domain.md rules involved ("R1" … "R20"), in rule order.
    `subject`, `title_code` and `year` are None for checks that have none (a rating quota).
    """

    subject: Hashable | None
    title_code: str | None
    year: int | None
    eligible: bool
    reasons: tuple[Reason, ...] = ()
    rule_refs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.title_code is not None:
            object.__setattr__(self, "title_code", str(self.title_code))
        object.__setattr__(self, "reasons", tuple(self.reasons))
        object.__setattr__(self, "rule_refs", tuple(self.rule_refs))

    @property
    def codes(self) -> tuple[str, ...]:
        """The reason codes, in order (what tests and code compare)."""
        return tuple(reason.code for reason in self.reasons)

    @property
    def headline(self) -> str:
        if self.title_code is None:
            return gettext("Passes.") if self.eligible else gettext("Does not pass.")
        values = {"title": title_label(self.title_code), "year": self.year}
        if self.year is None:
            return (
                gettext("%(title)s: qualifies.") if self.eligible else gettext("%(title)s: not met.")
            ) % values
        if self.eligible:
            return gettext("%(title)s %(year)s: qualifies.") % values
        return gettext("%(title)s %(year)s: not met.") % values

    @property
    def summary(self) -> str:
        """The headline followed by every reason, in the active language."""
        return " ".join([self.headline, *(reason.text for reason in self.reasons)])

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "title_code": self.title_code,
            "year": self.year,
            "eligible": self.eligible,
            "reasons": [reason.to_dict() for reason in self.reasons],
            "rule_refs": list(self.rule_refs),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Verdict:
        return cls(
            subject=data.get("subject"),
            title_code=data.get("title_code"),
            year=data.get("year"),
            eligible=data["eligible"],
            reasons=tuple(Reason.from_dict(reason) for reason in data.get("reasons", ())),
            rule_refs=tuple(data.get("rule_refs", ())),
        )


class Outcome:
    """Collects the failed and met conditions of one check (internal to the engine).

    A condition is kept as (code, params, met, rule) and becomes a `Reason` only when a verdict is
    made: a yearly run asks most subjects only whether they pass (`passed`), and builds no reasons.
    """

    __slots__ = ("failed", "met")

    def __init__(self) -> None:
        self.failed: list[tuple[str, dict[str, Any], bool, str]] = []
        self.met: list[tuple[str, dict[str, Any], bool, str]] = []

    @property
    def passed(self) -> bool:
        return not self.failed

    def fail(self, rule: str, code: str, **params: Any) -> None:
        self.failed.append((code, params, False, rule))

    def ok(self, rule: str, code: str, **params: Any) -> None:
        self.met.append((code, params, True, rule))

    def absorb(self, other: Outcome) -> None:
        self.failed.extend(other.failed)
        self.met.extend(other.met)

    def verdict(self, subject: Hashable | None, code: str | None, year: int | None, rule: str) -> Verdict:
        chosen = self.failed if self.failed else self.met
        # drop repeats, keep the order
        reasons = tuple(
            dict.fromkeys(
                Reason(code=name, params=params, met=met, rule=ref) for name, params, met, ref in chosen
            )
        )
        refs = {rule} | {reason.rule for reason in reasons if reason.rule}
        return Verdict(
            subject=subject,
            title_code=code,
            year=year,
            eligible=not self.failed,
            reasons=reasons,
            rule_refs=tuple(sorted(refs - {""}, key=_rule_number)),
        )
