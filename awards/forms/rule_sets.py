"""The administrator's rule set form (Django admin): the parameters JSON and the dates in force.

`RuleSet.params` is read by the eligibility engine through `RuleParams.from_dict`, which fails on
the first unknown key or wrong value with an English message meant for developers. This form checks
the JSON before it is saved and lists every problem at once, one translated sentence per parameter
naming it: unknown keys (with the closest known name), values of the wrong kind, and values the
engine would accept but no legal text could mean (a negative count, 40 months worked in a year, a
quorum of nobody, a reward coefficient of 1,000).

Rule sets have one scope, the whole organisation: every rule set applies to every unit, and the
engine takes the one in force on a day (awards.services.eligibility.rule_basis_on). So no two rule
sets may be in force on the same day; the form refuses dates that overlap another rule set.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.fields import InvalidJSONInput
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from awards.eligibility import params as rule_params
from awards.eligibility.facts import (
    ALL_CODES,
    DISCIPLINE_LEVELS,
    DOCUMENTS,
    EMULATION_TITLES,
    INITIATIVE_LEVELS,
    RATINGS,
)
from awards.eligibility.params import ParameterError, RuleParams
from awards.models import RuleSet

# Bounds of the whole-number parameters (inclusive); any other whole number lies in DEFAULT_INT_RANGE.
INT_RANGES: Mapping[str, tuple[int, int]] = {
    "ldtt_min_months_worked": (0, 12),
    "cstd_bo_run_years": (1, 10),
    "cstd_tq_consecutive_awards": (1, 10),
    "bk_bo_cstdcs_years": (1, 10),
    "bk_bo_excellent_years": (1, 10),
    "bk_bo_collective_years": (1, 10),
    "bk_bo_min_initiatives": (0, 20),
    "ministry_flag_max_position": (1, 50),
    "ministry_flags_per_cluster": (1, 50),
}
DEFAULT_INT_RANGE = (0, 100)
# A run requirement (rule 11) of a commendation form.
RUN_YEARS_RANGE = (1, 20)
RUN_INITIATIVES_RANGE = (0, 20)
# Shares where 0 would mean "nobody needs to agree / be present".
POSITIVE_SHARES = frozenset({"vote_thresholds", "vote_default_threshold", "quorum_share"})
COEFFICIENT_MAX = Decimal(100)
BASE_SALARY_RANGE = (Decimal(100_000), Decimal(100_000_000))  # VND per month
BASE_SALARY_YEARS = (1990, 2100)


def _one_of(choices) -> str:
    return ", ".join(str(choice) for choice in choices)


def _expected(codec) -> str:
    """What a parameter read by `codec` must look like, in the user's language."""
    descriptions = [
        (rule_params.BOOL, lambda: _("true or false")),
        (rule_params.INT, lambda: _("a whole number from 0 up, such as 2")),
        (rule_params.SHARE, lambda: _('a share from 0 to 1 in quotes, such as "2/3" or "0.8"')),
        (rule_params.DECIMAL, lambda: _('a number from 0 up in quotes, such as "1.5"')),
        (rule_params.RATING, lambda: _("one of %(choices)s") % {"choices": _one_of(RATINGS)}),
        (rule_params.DISCIPLINE, lambda: _("one of %(choices)s") % {"choices": _one_of(DISCIPLINE_LEVELS)}),
        (
            rule_params.DISCIPLINE_OR_OFF,
            lambda: (
                _("one of %(choices)s, or null to switch the condition off")
                % {"choices": _one_of(DISCIPLINE_LEVELS)}
            ),
        ),
        (rule_params.INITIATIVE, lambda: _("one of %(choices)s") % {"choices": _one_of(INITIATIVE_LEVELS)}),
        (rule_params.QUOTA_BASE, lambda: _("one of %(choices)s") % {"choices": "good, good_or_better"}),
        (
            rule_params.TITLES,
            lambda: _("a list of title codes among %(choices)s") % {"choices": _one_of(EMULATION_TITLES)},
        ),
        (
            rule_params.DOCUMENT_LIST,
            lambda: _("a list of document codes among %(choices)s") % {"choices": _one_of(DOCUMENTS)},
        ),
        (
            rule_params.SHARES_BY_CODE,
            lambda: _('an object from award codes to shares, such as {"CSTDCS": "4/5"}'),
        ),
        (
            rule_params.DECIMALS_BY_CODE,
            lambda: _('an object from award codes to numbers from 0 up in quotes, such as {"LDTT": "0.3"}'),
        ),
        (
            rule_params.DOCUMENT_GROUPS_BY_CODE,
            lambda: _(
                "an object from award codes to lists of document groups (one document of each group is "
                'needed), such as {"CSTDCS": [["initiative_proof", "rating_proof"]]}'
            ),
        ),
        (
            rule_params.RUNS_BY_CODE,
            lambda: _(
                'an object from award codes to run requirements, such as {"BK_TTG": {"prior_awards": '
                '["BK_BO"], "excellent_years": 5, "min_initiatives": 0, "initiative_min_level": "unit"}}'
            ),
        ),
        (
            rule_params.SALARIES,
            lambda: _(
                'a list of [start date, amount] pairs by increasing date, such as [["2024-07-01", "2340000"]]'
            ),
        ),
    ]
    for known, describe in descriptions:
        if codec is known:
            return describe()
    return _("a value of the kind the legal defaults use")


def _expected_entry(codec) -> str:
    """What one award code's value must look like in an object of award codes read by `codec`."""
    if codec is rule_params.SHARES_BY_CODE:
        return _expected(rule_params.SHARE)
    if codec is rule_params.DECIMALS_BY_CODE:
        return _expected(rule_params.DECIMAL)
    if codec is rule_params.DOCUMENT_GROUPS_BY_CODE:
        return _(
            "a list of document groups (one document of each group is needed) among %(choices)s, "
            'such as [["initiative_proof", "rating_proof"]]'
        ) % {"choices": _one_of(DOCUMENTS)}
    return _(
        'a run requirement, such as {"prior_awards": ["BK_BO"], "excellent_years": 5, '
        '"min_initiatives": 0, "initiative_min_level": "unit"}'
    )


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "…"


def _wrong(name: str, expected: str, value: Any) -> str:
    return _("“%(name)s” must be %(expected)s; %(value)s is not.") % {
        "name": name,
        "expected": expected,
        "value": _shown(value),
    }


def _out_of_range(name: str, value, low, high) -> str:
    return _("“%(name)s” must be from %(low)s to %(high)s; %(value)s is not.") % {
        "name": name,
        "low": low,
        "high": high,
        "value": value,
    }


def _bound_problems(name: str, codec, value: Any) -> list[str]:
    """Values of the right kind that no rule set could mean (`value` is already loaded)."""
    problems = []
    if codec is rule_params.INT:
        low, high = INT_RANGES.get(name, DEFAULT_INT_RANGE)
        if not low <= value <= high:
            problems.append(_out_of_range(name, value, low, high))
    elif codec is rule_params.SHARE and name in POSITIVE_SHARES and value == 0:
        problems.append(
            _("“%(name)s” cannot be 0: the council needs members present and agreeing.") % {"name": name}
        )
    elif codec is rule_params.SHARES_BY_CODE and name in POSITIVE_SHARES:
        for code, share in value.items():
            if share == 0:
                problems.append(
                    _("“%(name)s” cannot be 0: the council needs members present and agreeing.")
                    % {"name": f"{name}.{code}"}
                )
    elif codec is rule_params.DECIMALS_BY_CODE:
        for code, number in value.items():
            if number > COEFFICIENT_MAX:
                problems.append(_out_of_range(f"{name}.{code}", number, 0, COEFFICIENT_MAX))
    elif codec is rule_params.RUNS_BY_CODE:
        for code, run in value.items():
            for field_name, bounds in (
                ("excellent_years", RUN_YEARS_RANGE),
                ("min_initiatives", RUN_INITIATIVES_RANGE),
            ):
                number = getattr(run, field_name)
                if not bounds[0] <= number <= bounds[1]:
                    problems.append(_out_of_range(f"{name}.{code}.{field_name}", number, *bounds))
    elif codec is rule_params.SALARIES:
        for start, amount in value:
            if not BASE_SALARY_YEARS[0] <= start.year <= BASE_SALARY_YEARS[1]:
                problems.append(
                    _("“%(name)s”: %(date)s is not a plausible start date.")
                    % {"name": name, "date": start.strftime("%d/%m/%Y")}
                )
            if not BASE_SALARY_RANGE[0] <= amount <= BASE_SALARY_RANGE[1]:
                problems.append(
                    _out_of_range(name, f"{amount:,}", *(f"{bound:,}" for bound in BASE_SALARY_RANGE))
                )
    return problems


def _entry_problems(name: str, codec, value: Mapping) -> list[str]:
    """For an object of award codes: which code, or which code's value, is wrong."""
    problems = []
    for code, entry in value.items():
        if code not in ALL_CODES:
            problems.append(
                _("“%(name)s”: “%(code)s” is not an award code; the codes are %(choices)s.")
                % {"name": name, "code": code, "choices": _one_of(ALL_CODES)}
            )
            continue
        try:
            codec.load({code: entry})
        except ParameterError:
            problems.append(_wrong(f"{name}.{code}", _expected_entry(codec), entry))
    return problems


MAPPINGS = (
    rule_params.SHARES_BY_CODE,
    rule_params.DECIMALS_BY_CODE,
    rule_params.DOCUMENT_GROUPS_BY_CODE,
    rule_params.RUNS_BY_CODE,
)


def rule_params_problems(data: Any) -> list[str]:
    """Every problem of a rule set's parameters, one message each; [] when the engine can use them."""
    if not isinstance(data, Mapping):
        return [_('The parameters must be a JSON object: {"parameter name": value, …}.')]
    fields = {item.name: item for item in dataclasses.fields(RuleParams)}
    problems = []
    for name, value in data.items():
        if name not in fields:
            close = difflib.get_close_matches(name, fields, n=1)
            message = _("“%(name)s” is not a parameter of the eligibility rules.") % {"name": name}
            if close:
                message += " " + _("Did you mean “%(suggestion)s”?") % {"suggestion": close[0]}
            problems.append(message)
            continue
        codec = fields[name].metadata["codec"]
        if codec is rule_params.INT and isinstance(value, int) and not isinstance(value, bool):
            problems.extend(_bound_problems(name, codec, value))  # a negative count: say the range
            continue
        try:
            loaded = codec.load(value)
        except ParameterError:
            if any(codec is mapping for mapping in MAPPINGS) and isinstance(value, Mapping):
                problems.extend(
                    _entry_problems(name, codec, value) or [_wrong(name, _expected(codec), value)]
                )
            else:
                problems.append(_wrong(name, _expected(codec), value))
            continue
        problems.extend(_bound_problems(name, codec, loaded))
    if not problems:
        try:
            RuleParams.from_dict(data)
        except (ParameterError, TypeError) as error:  # a rule across parameters; its text names the key
            problems.append(
                _("The eligibility engine refuses these parameters: %(detail)s") % {"detail": error}
            )
    return problems


def _in_force(rule_set: RuleSet) -> str:
    values = {"start": rule_set.effective_from.strftime("%d/%m/%Y")}
    if rule_set.effective_to is None:
        return _("in force from %(start)s with no end date") % values
    return _("in force from %(start)s to %(end)s") % {
        **values,
        "end": rule_set.effective_to.strftime("%d/%m/%Y"),
    }


class IndentedJSONField(forms.JSONField):
    """The parameters shown one per line, so that the administrator can read and edit them."""

    def prepare_value(self, value):
        if isinstance(value, InvalidJSONInput):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2, cls=self.encoder)


class RuleSetAdminForm(forms.ModelForm):
    """A rule set as the administrator edits it in the Django admin."""

    class Meta:
        model = RuleSet
        fields = ["name", "legal_basis", "effective_from", "effective_to", "params"]
        field_classes = {"params": IndentedJSONField}
        widgets = {"params": forms.Textarea(attrs={"rows": 30, "cols": 100})}
        help_texts = {
            "effective_to": gettext_lazy("Leave empty while the rule set is in force with no end date."),
            "params": gettext_lazy(
                "A JSON object of the eligibility engine's parameters (their names are those of "
                "awards.eligibility.params.RuleParams). A parameter left out takes the legal default."
            ),
        }

    def clean_params(self):
        data = self.cleaned_data["params"]
        problems = rule_params_problems(data)
        if problems:
            raise ValidationError(
                [ValidationError(problem, code="invalid_parameter") for problem in problems]
            )
        return data

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("effective_from"), cleaned.get("effective_to")
        if start is None:
            return cleaned
        if end is not None and end < start:
            self.add_error("effective_to", _("The rule set cannot end before it starts."))
            return cleaned
        overlapping = RuleSet.objects.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=start))
        if end is not None:
            overlapping = overlapping.filter(effective_from__lte=end)
        if self.instance.pk is not None:
            overlapping = overlapping.exclude(pk=self.instance.pk)
        for other in overlapping.order_by("effective_from"):
            self.add_error(
                "effective_from",
                _(
                    "These dates overlap the rule set “%(name)s” (%(in_force)s). Only one rule set can be "
                    "in force on a day: give that one an end date first, or choose other dates."
                )
                % {"name": other.name, "in_force": _in_force(other)},
            )
        return cleaned
