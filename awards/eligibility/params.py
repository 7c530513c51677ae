"""Every parameter of the eligibility rules, with the two legal parameter sets and their dates.

`RuleParams` is a frozen dataclass; awards.RuleSet stores one as JSON through `to_dict()` and reads
it back with `from_dict()`, which rejects unknown keys and fills missing ones with the defaults.
Shares are exact `Fraction`s (2/3 must compare exactly: 6 of 9 present is a quorum), written in
JSON as "2/3"; money and coefficients are `Decimal`s written as strings; dates are ISO strings.

Each field's metadata carries its source with the certainty mark of docs/domain.md:
[C] confirmed in a legal text, [S] secondary, [U] unconfirmed (check before go-live), [D] a design
decision of this application. `PARAMETER_SOURCES` lists them for screens and reports.

The defaults are the values of docs/domain.md, which are those in force under Decree 152/2025/NĐ-CP.
The only difference between the two decrees that the sources support is the dossier (rule 19):
under Decree 98/2023 Art. 34 the council's vote result may be part of the minutes ("biên bản bình
xét … hoặc biên bản bình xét và kết quả bỏ phiếu"), while the procedure of Decree 152/2025
(Decision 638/QĐ-BNV/2025) lists the minutes AND the vote result. Whether Decree 152 kept the
90 %/80 % vote thresholds is [U]; the same values are used.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from awards.eligibility.facts import (
    ALL_CODES,
    DISCIPLINE_LEVELS,
    DOCUMENTS,
    EMULATION_TITLES,
    INITIATIVE_LEVELS,
    RATINGS,
    Code,
)

# --- codecs: how each kind of field goes to JSON and back ------------------------------------------


class ParameterError(ValueError):
    """A rule parameter is unknown or has a value of the wrong kind."""


@dataclass(frozen=True)
class _Codec:
    dump: Callable[[Any], Any]
    load: Callable[[Any], Any]


def _load_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ParameterError(f"expected true or false, got {value!r}")
    return value


def _load_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ParameterError(f"expected a whole number ≥ 0, got {value!r}")
    return int(value)


def _load_share(value: Any) -> Fraction:
    """A share between 0 and 1: a Fraction, "2/3", "0.8", 1 or 0."""
    if isinstance(value, bool) or not isinstance(value, str | int | Fraction | Decimal):
        raise ParameterError(f'expected a share such as "2/3" or "0.8", got {value!r}')
    try:
        share = Fraction(value)
    except (ValueError, ZeroDivisionError) as error:
        raise ParameterError(f'expected a share such as "2/3" or "0.8", got {value!r}') from error
    if not 0 <= share <= 1:
        raise ParameterError(f"a share lies between 0 and 1, got {value!r}")
    return share


def _dump_share(value: Fraction) -> str:
    return str(value)


def _load_decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ParameterError(f"expected a decimal number written as a string, got {value!r}")
    try:
        number = Decimal(value)
    except InvalidOperation as error:
        raise ParameterError(f"expected a decimal number, got {value!r}") from error
    if not number.is_finite() or number < 0:
        raise ParameterError(f"expected a decimal number ≥ 0, got {value!r}")
    return number


def _choice(choices: tuple[str, ...], *, optional: bool = False) -> _Codec:
    def load(value: Any) -> str | None:
        if value is None and optional:
            return None
        if value not in choices:
            raise ParameterError(f"expected one of {', '.join(choices)}, got {value!r}")
        return str(value)

    return _Codec(lambda value: None if value is None else str(value), load)


def _codes(choices: tuple[str, ...]) -> _Codec:
    item = _choice(choices)

    def load(value: Any) -> tuple[str, ...]:
        if not isinstance(value, list | tuple):
            raise ParameterError(f"expected a list, got {value!r}")
        return tuple(item.load(entry) for entry in value)

    return _Codec(lambda value: [str(entry) for entry in value], load)


def _mapping(key_choices: tuple[str, ...], value_codec: _Codec) -> _Codec:
    key = _choice(key_choices)

    def load(value: Any) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise ParameterError(f"expected an object, got {value!r}")
        return MappingProxyType({key.load(name): value_codec.load(entry) for name, entry in value.items()})

    return _Codec(lambda value: {str(name): value_codec.dump(entry) for name, entry in value.items()}, load)


def _load_groups(value: Any) -> tuple[tuple[str, ...], ...]:
    """Document requirements: a list of groups; each group lists alternatives, one of which is needed."""
    documents = _codes(DOCUMENTS)
    if not isinstance(value, list | tuple):
        raise ParameterError(f"expected a list of document groups, got {value!r}")
    groups = tuple(documents.load(group) for group in value)
    if any(not group for group in groups):
        raise ParameterError("a document group cannot be empty")
    return groups


def _load_salaries(value: Any) -> tuple[tuple[date, Decimal], ...]:
    if not isinstance(value, list | tuple) or not value:
        raise ParameterError(f"expected a non-empty list of [effective from, amount], got {value!r}")
    rows = []
    for row in value:
        if not isinstance(row, list | tuple) or len(row) != 2:
            raise ParameterError(f"expected [effective from, amount], got {row!r}")
        start, amount = row
        if isinstance(start, str):
            try:
                start = date.fromisoformat(start)
            except ValueError as error:
                raise ParameterError(f"expected an ISO date, got {row[0]!r}") from error
        if not isinstance(start, date):
            raise ParameterError(f"expected an ISO date, got {row[0]!r}")
        rows.append((start, _load_decimal(amount)))
    starts = [start for start, _amount in rows]
    if starts != sorted(set(starts)):
        raise ParameterError("base salaries must be listed by increasing effective date, once each")
    return tuple(rows)


@dataclass(frozen=True)
class RunRequirement:
    """Rule 11: a prior award (one of `prior_awards`) in a year Y0, then `excellent_years`
    consecutive years rated "excellent" after Y0 and ending in the award year, with at least
    `min_initiatives` initiatives recognised at `initiative_min_level` or above in that run
    (persons only; 0 switches the condition off)."""

    prior_awards: tuple[str, ...]
    excellent_years: int = 5
    min_initiatives: int = 0
    initiative_min_level: str = "unit"

    def __post_init__(self) -> None:
        object.__setattr__(self, "prior_awards", _codes(ALL_CODES).load(list(self.prior_awards)))
        if not self.prior_awards:
            raise ParameterError("a run requirement needs at least one prior award")
        if _load_int(self.excellent_years) < 1:
            raise ParameterError("a run lasts at least one year")
        _load_int(self.min_initiatives)
        _choice(INITIATIVE_LEVELS).load(self.initiative_min_level)


def _load_run(value: Any) -> RunRequirement:
    if isinstance(value, RunRequirement):
        return value
    if not isinstance(value, Mapping):
        raise ParameterError(f"expected an object, got {value!r}")
    names = {item.name for item in dataclasses.fields(RunRequirement)}
    unknown = sorted(set(value) - names)
    if unknown:
        raise ParameterError(f"unknown key(s) {', '.join(unknown)}")
    if "prior_awards" not in value:
        raise ParameterError("prior_awards is required")
    return RunRequirement(**value)


def _dump_run(value: RunRequirement) -> dict[str, Any]:
    return {
        "prior_awards": [str(code) for code in value.prior_awards],
        "excellent_years": value.excellent_years,
        "min_initiatives": value.min_initiatives,
        "initiative_min_level": value.initiative_min_level,
    }


def _same(value: Any) -> Any:
    return value


BOOL = _Codec(_same, _load_bool)
INT = _Codec(_same, _load_int)
SHARE = _Codec(_dump_share, _load_share)
DECIMAL = _Codec(str, _load_decimal)
RATING = _choice(RATINGS)
DISCIPLINE = _choice(DISCIPLINE_LEVELS)
DISCIPLINE_OR_OFF = _choice(DISCIPLINE_LEVELS, optional=True)
INITIATIVE = _choice(INITIATIVE_LEVELS)
TITLES = _codes(EMULATION_TITLES)
DOCUMENT_LIST = _codes(DOCUMENTS)
SHARES_BY_CODE = _mapping(ALL_CODES, SHARE)
DECIMALS_BY_CODE = _mapping(ALL_CODES, DECIMAL)
DOCUMENT_GROUPS_BY_CODE = _mapping(
    ALL_CODES, _Codec(lambda groups: [list(group) for group in groups], _load_groups)
)
RUNS_BY_CODE = _mapping(ALL_CODES, _Codec(_dump_run, _load_run))
SALARIES = _Codec(
    lambda rows: [[start.isoformat(), str(amount)] for start, amount in rows],
    _load_salaries,
)
QUOTA_BASE = _choice(("good", "good_or_better"))


def _meta(codec: _Codec, source: str) -> dict[str, Any]:
    return {"codec": codec, "source": source}


def _d(value: str) -> Decimal:
    return Decimal(value)


_VOTE_THRESHOLDS: dict[str, Fraction] = {
    Code.CSTDCS: Fraction(4, 5),
    Code.CSTD_BO: Fraction(9, 10),
    Code.CSTD_TQ: Fraction(9, 10),
    Code.CO_BO: Fraction(4, 5),
    Code.CO_CP: Fraction(4, 5),
}
_INDIVIDUAL_COEFFICIENTS: dict[str, Decimal] = {
    Code.LDTT: _d("0.3"),
    Code.CSTDCS: _d("1.0"),
    Code.CSTD_BO: _d("3.0"),
    Code.CSTD_TQ: _d("4.5"),
    Code.GK: _d("0.3"),
    Code.BK_BO: _d("1.5"),
    Code.BK_TTG: _d("3.5"),
    Code.HCLD3: _d("4.5"),
    Code.HCLD2: _d("7.5"),
    Code.HCLD1: _d("9.0"),
}
_COLLECTIVE_COEFFICIENTS: dict[str, Decimal] = {
    Code.TTLDTT: _d("0.8"),
    Code.TTLDXS: _d("1.5"),
    Code.CO_BO: _d("8.0"),
    Code.CO_CP: _d("12.0"),
    Code.GK: _d("0.6"),
    Code.BK_BO: _d("3.0"),
    Code.BK_TTG: _d("7.0"),
    Code.HCLD3: _d("9.0"),
    Code.HCLD2: _d("15.0"),
    Code.HCLD1: _d("18.0"),
}
_DOSSIER_DOCUMENTS = ("proposal", "achievement_report", "minutes", "vote_result")
_DOSSIER_EXTRA: dict[str, tuple[tuple[str, ...], ...]] = {
    Code.CSTDCS: (("initiative_proof", "rating_proof"),),
    Code.CSTD_BO: (("initiative_proof",),),
    Code.CSTD_TQ: (("initiative_proof",),),
}
_LONG_RUNS: dict[str, RunRequirement] = {
    Code.BK_TTG: RunRequirement(prior_awards=(Code.BK_BO,)),
    Code.HCLD3: RunRequirement(prior_awards=(Code.BK_TTG,)),
    Code.HCLD2: RunRequirement(prior_awards=(Code.HCLD3,)),
    Code.HCLD1: RunRequirement(prior_awards=(Code.HCLD2,)),
}
_BASE_SALARIES = (
    (date(2019, 7, 1), _d("1490000")),
    (date(2023, 7, 1), _d("1800000")),
    (date(2024, 7, 1), _d("2340000")),
)


@dataclass(frozen=True)
class RuleParams:
    """The parameters of the 20 rules of docs/domain.md. Field names start with the rule they serve."""

    # Rule 20 and the prerequisite chain.
    registration_required: bool = field(
        default=True,
        metadata=_meta(BOOL, "[U] rule 20: no registration, no consideration (Decree 91/2017 regime)"),
    )
    registration_titles: tuple[str, ...] = field(
        default=tuple(EMULATION_TITLES),
        metadata=_meta(TITLES, "[D] rule 20: the titles that need a registration"),
    )
    current_year_by_eligibility: bool = field(
        default=True,
        metadata=_meta(
            BOOL,
            "[D] a prerequisite title of the judged year counts when held OR when the engine finds it eligible "
            "(the titles of one year are judged together); earlier years need the title actually held",
        ),
    )
    # Rule 1: LĐTT.
    ldtt_min_rating: str = field(default="good", metadata=_meta(RATING, "[C] Law 06/2022 Art. 24(1)"))
    ldtt_min_months_worked: int = field(default=10, metadata=_meta(INT, "[U] sector circulars"))
    ldtt_discipline_min_level: str = field(
        default="reprimand", metadata=_meta(DISCIPLINE, "[U] sector circulars: reprimand or worse")
    )
    # Rule 2: CSTĐCS.
    cstdcs_initiative_min_level: str = field(
        default="unit", metadata=_meta(INITIATIVE, "[C] Law 06/2022 Art. 23")
    )
    cstdcs_quota_enabled: bool = field(
        default=False, metadata=_meta(BOOL, "[U] repealed Decree 91/2017; off by default")
    )
    cstdcs_quota_share: Fraction = field(
        default=Fraction(3, 20), metadata=_meta(SHARE, "[U] 15 % of the unit's LĐTT holders")
    )
    cstdcs_quota_minimum: int = field(
        default=0, metadata=_meta(INT, "[D] places granted even when the share rounds down to 0")
    )
    # Rule 3: CSTĐ cấp Bộ.
    cstd_bo_run_years: int = field(
        default=3, metadata=_meta(INT, "[C] Law 06/2022 Art. 22: 3 consecutive CSTĐCS")
    )
    cstd_bo_initiative_min_level: str = field(
        default="ministry", metadata=_meta(INITIATIVE, "[C] Law 06/2022 Art. 22")
    )
    cstd_bo_run_reusable: bool = field(
        default=False, metadata=_meta(BOOL, "[U] a run used for one award does not count again")
    )
    # Rule 4: CSTĐ toàn quốc.
    cstd_tq_consecutive_awards: int = field(
        default=2, metadata=_meta(INT, "[C] Law 06/2022 Art. 21: 2 consecutive CSTĐ cấp Bộ")
    )
    # Rule 5: council vote and quorum.
    vote_thresholds: Mapping[str, Fraction] = field(
        default_factory=lambda: _VOTE_THRESHOLDS,
        metadata=_meta(
            SHARES_BY_CODE,
            "[C] Decree 98/2023 Art. 30(7): 90 % of all members (CSTĐ Bộ, toàn quốc), 80 % (CSTĐCS, flags); "
            "[U] under Decree 152/2025",
        ),
    )
    vote_default_threshold: Fraction = field(
        default=Fraction(1, 2),
        metadata=_meta(SHARE, "[C] Bắc Ninh 86/2025: the council decides by majority (other awards)"),
    )
    vote_default_strict: bool = field(default=True, metadata=_meta(BOOL, "[C] majority = more than half"))
    vote_total_excludes_recused: bool = field(
        default=False,
        metadata=_meta(
            BOOL,
            "[D] Decree 98/2023 Art. 30(7), Decree 152/2025: the share is of the council's TOTAL members, so a "
            "member who stands aside still counts in the total (true: left out of it) [U]",
        ),
    )
    quorum_share: Fraction = field(
        default=Fraction(2, 3), metadata=_meta(SHARE, "[C] Bắc Ninh 86/2025: at least 2/3 present")
    )
    # Rule 6: TTLĐTT.
    ttldtt_min_rating: str = field(default="good", metadata=_meta(RATING, "[C] Law 06/2022 Art. 28"))
    ttldtt_ldtt_share: Fraction = field(
        default=Fraction(1, 2), metadata=_meta(SHARE, "[C] old Law Art. 28 (over 50 %); 2022 text [U]")
    )
    ttldtt_ldtt_share_strict: bool = field(
        default=True, metadata=_meta(BOOL, "[C] old Law Art. 28: over (not at least) 50 %")
    )
    ttldtt_member_discipline_min_level: str | None = field(
        default="warning",
        metadata=_meta(DISCIPLINE_OR_OFF, "[C] Bắc Ninh 86/2025: no member disciplined at warning or worse"),
    )
    # Rule 7: TTLĐXS.
    ttldxs_min_rating: str = field(default="excellent", metadata=_meta(RATING, "[C] Law 06/2022 Art. 27(1)"))
    ttldxs_completed_share: Fraction = field(
        default=Fraction(1), metadata=_meta(SHARE, "[C] 100 % of members complete their tasks")
    )
    ttldxs_ldtt_share: Fraction = field(
        default=Fraction(7, 10), metadata=_meta(SHARE, "[C] at least 70 % hold LĐTT")
    )
    ttldxs_min_cstdcs_members: int = field(default=1, metadata=_meta(INT, "[C] at least one CSTĐCS"))
    ttldxs_member_discipline_min_level: str | None = field(
        default=None,
        metadata=_meta(
            DISCIPLINE_OR_OFF, "[U] old Law: no member disciplined at warning or worse; off by default"
        ),
    )
    ttldxs_quota_enabled: bool = field(
        default=False, metadata=_meta(BOOL, "[C for the Procuracy; U for MOF] off by default")
    )
    ttldxs_quota_share: Fraction = field(
        default=Fraction(1, 5), metadata=_meta(SHARE, "[C] Circular 02/2024/TT-VKSTC Art. 18: 20 %")
    )
    ttldxs_quota_minimum: int = field(
        default=1, metadata=_meta(INT, "[C] Circular 02/2024/TT-VKSTC Art. 18: at least one")
    )
    # Rule 8: ministry flag.
    ministry_flag_max_position: int = field(
        default=1, metadata=_meta(INT, "[C] the collective leading its cluster or block")
    )
    ministry_flags_per_cluster: int = field(
        default=1, metadata=_meta(INT, "[C] one per cluster or block and year")
    )
    # Rule 10: Bằng khen of the minister.
    bk_bo_cstdcs_years: int = field(default=2, metadata=_meta(INT, "[S] Law Art. 74: 2 consecutive CSTĐCS"))
    bk_bo_excellent_years: int = field(
        default=2, metadata=_meta(INT, "[S] Law Art. 74: ≥ 2 consecutive years excellent")
    )
    bk_bo_min_initiatives: int = field(
        default=2, metadata=_meta(INT, "[S] Law Art. 74: 2 initiatives (or 2 science works)")
    )
    bk_bo_initiative_min_level: str = field(
        default="unit", metadata=_meta(INITIATIVE, "[S] Law Art. 74: recognised at unit level")
    )
    bk_bo_collective_years: int = field(
        default=2, metadata=_meta(INT, "[S] Law Art. 74: 2 consecutive years excellent or TTLĐXS")
    )
    # Rule 11: Bằng khen of the Prime Minister and Labour Orders.
    long_run_awards: Mapping[str, RunRequirement] = field(
        default_factory=lambda: _LONG_RUNS,
        metadata=_meta(RUNS_BY_CODE, "[U] prior lower award, then 5 consecutive excellent years"),
    )
    # Rule 16: quota of "excellent" ratings.
    rating_quota_share: Fraction = field(
        default=Fraction(1, 5), metadata=_meta(SHARE, "[C] Quy định 366-QĐ/TW Art. 11: 20 %")
    )
    rating_quota_share_exception: Fraction = field(
        default=Fraction(1, 4), metadata=_meta(SHARE, "[C] Quy định 366-QĐ/TW: 25 %")
    )
    rating_quota_base: str = field(
        default="good",
        metadata=_meta(QUOTA_BASE, '[C] base = rated good (HTTNV); "good_or_better" is common practice [U]'),
    )
    # Rule 18: tie-break.
    tie_break_women_share: Fraction = field(
        default=Fraction(7, 10), metadata=_meta(SHARE, "[C] Decree 152/2025 Art. 4(6): 70 % women")
    )
    # Rule 19: dossier.
    dossier_documents: tuple[str, ...] = field(
        default=_DOSSIER_DOCUMENTS,
        metadata=_meta(
            DOCUMENT_LIST,
            "[C] Law Art. 84(1); vote result listed separately by Decision 638/QĐ-BNV/2025 (Decree 152/2025)",
        ),
    )
    dossier_extra: Mapping[str, tuple[tuple[str, ...], ...]] = field(
        default_factory=lambda: _DOSSIER_EXTRA,
        metadata=_meta(
            DOCUMENT_GROUPS_BY_CODE,
            "[C] Law Art. 84(1)(d); Decree 98/2023 Art. 34: initiative OR excellent-rating proof for CSTĐCS",
        ),
    )
    # Reward amounts.
    individual_coefficients: Mapping[str, Decimal] = field(
        default_factory=lambda: _INDIVIDUAL_COEFFICIENTS,
        metadata=_meta(
            DECIMALS_BY_CODE, "[C] Decree 152/2025 Art. 50 for the titles; [U] for the individual forms"
        ),
    )
    collective_coefficients: Mapping[str, Decimal] = field(
        default_factory=lambda: _COLLECTIVE_COEFFICIENTS,
        metadata=_meta(DECIMALS_BY_CODE, "[C] Decree 152/2025 Arts. 50–54"),
    )
    base_salaries: tuple[tuple[date, Decimal], ...] = field(
        default=_BASE_SALARIES,
        metadata=_meta(
            SALARIES,
            "[C] Decree 73/2024: 2,340,000 from 01/07/2024; [U] earlier amounts, not in the research: "
            "1,800,000 from 01/07/2023 (Decree 24/2023), 1,490,000 from 01/07/2019 (Decree 38/2019)",
        ),
    )

    def __post_init__(self) -> None:
        # Normalise and check every value through its codec, so a bad value fails here, early.
        for item in dataclasses.fields(self):
            codec: _Codec = item.metadata["codec"]
            value = getattr(self, item.name)
            try:
                loaded = codec.load(codec.dump(value))
            except ParameterError as error:
                raise ParameterError(f"{item.name}: {error}") from None
            object.__setattr__(self, item.name, loaded)
        for name in ("cstd_bo_run_years", "cstd_tq_consecutive_awards", "bk_bo_cstdcs_years"):
            if getattr(self, name) < 1:
                raise ParameterError(f"{name}: must be at least 1")
        for name in ("bk_bo_excellent_years", "bk_bo_collective_years", "ministry_flag_max_position"):
            if getattr(self, name) < 1:
                raise ParameterError(f"{name}: must be at least 1")

    def to_dict(self) -> dict[str, Any]:
        """Every parameter as JSON-ready values (strings for fractions, decimals and dates)."""
        return {
            item.name: item.metadata["codec"].dump(getattr(self, item.name))
            for item in dataclasses.fields(self)
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RuleParams:
        """Read parameters written by `to_dict`; missing keys take the defaults, unknown keys fail."""
        if not isinstance(data, Mapping):
            raise ParameterError(f"rule parameters must be an object, got {type(data).__name__}")
        fields = {item.name: item for item in dataclasses.fields(cls)}
        unknown = sorted(set(data) - set(fields))
        if unknown:
            raise ParameterError(f"unknown rule parameter(s): {', '.join(unknown)}")
        values = {}
        for name, value in data.items():
            try:
                values[name] = fields[name].metadata["codec"].load(value)
            except ParameterError as error:
                raise ParameterError(f"{name}: {error}") from None
        return cls(**values)

    def vote_threshold(self, code: str) -> tuple[Fraction, bool]:
        """The share of all members that must vote yes for `code`, and whether it must be exceeded."""
        if code in self.vote_thresholds:
            return self.vote_thresholds[code], False
        return self.vote_default_threshold, self.vote_default_strict


PARAMETER_SOURCES: Mapping[str, str] = MappingProxyType(
    {item.name: item.metadata["source"] for item in dataclasses.fields(RuleParams)}
)

DECREE_152_2025 = RuleParams()
DECREE_98_2023 = dataclasses.replace(
    DECREE_152_2025, dossier_documents=("proposal", "achievement_report", "minutes")
)


@dataclass(frozen=True)
class LegalParameterSet:
    """A named parameter set and the dates it is in force (both inclusive; `effective_to` None: open)."""

    name: str
    legal_basis: str
    effective_from: date
    effective_to: date | None
    params: RuleParams

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


LEGAL_PARAMETER_SETS = (
    LegalParameterSet(
        name="DECREE_98_2023",
        legal_basis="Law 06/2022/QH15; Decree 98/2023/NĐ-CP",
        effective_from=date(2024, 1, 1),
        effective_to=date(2025, 6, 30),
        params=DECREE_98_2023,
    ),
    LegalParameterSet(
        name="DECREE_152_2025",
        legal_basis="Law 06/2022/QH15; Decree 152/2025/NĐ-CP; Circular 15/2025/TT-BNV",
        effective_from=date(2025, 7, 1),
        effective_to=None,
        params=DECREE_152_2025,
    ),
)


def params_in_force(on: date) -> RuleParams:
    """The parameter set in force on `on` (a nomination's submission date).

    Raises LookupError before 01/01/2024: the rules of Law 15/2003 and Decree 91/2017 are not built in.
    """
    for parameter_set in LEGAL_PARAMETER_SETS:
        if parameter_set.in_force(on):
            return parameter_set.params
    raise LookupError(f"no eligibility rule set is built in for {on:%d/%m/%Y} (the first starts 01/01/2024)")
