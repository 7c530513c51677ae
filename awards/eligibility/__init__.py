"""The eligibility engine: the rules of docs/domain.md as pure functions (facts in, verdicts out).

No database access and no Django models: a loader service builds the facts (facts.py) from the
database, picks the parameters in force (params.py, or an awards.RuleSet read with
`RuleParams.from_dict`) and calls the entry points below (engine.py). Verdicts carry reasons with
stable codes and sentences rendered in the active language (verdicts.py).
"""

from awards.eligibility.engine import (
    apply_cstdcs_quota,
    apply_ttldxs_quota,
    base_salary_on,
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
    person_qualifies,
    rating_quota_ok,
    reward_amount,
    select_ministry_flags,
    tie_break_key,
    unit_qualifies,
)
from awards.eligibility.facts import (
    AwardClaim,
    Code,
    DisciplineFact,
    HeldTitle,
    InitiativeFact,
    PersonHistory,
    PersonYear,
    UnitHistory,
    UnitYear,
)
from awards.eligibility.params import (
    DECREE_98_2023,
    DECREE_152_2025,
    LEGAL_PARAMETER_SETS,
    PARAMETER_SOURCES,
    ParameterError,
    RuleParams,
    RunRequirement,
    params_in_force,
)
from awards.eligibility.verdicts import Reason, Verdict

__all__ = [
    "DECREE_98_2023",
    "DECREE_152_2025",
    "LEGAL_PARAMETER_SETS",
    "PARAMETER_SOURCES",
    "AwardClaim",
    "Code",
    "DisciplineFact",
    "HeldTitle",
    "InitiativeFact",
    "ParameterError",
    "PersonHistory",
    "PersonYear",
    "Reason",
    "RuleParams",
    "RunRequirement",
    "UnitHistory",
    "UnitYear",
    "Verdict",
    "apply_cstdcs_quota",
    "apply_ttldxs_quota",
    "base_salary_on",
    "best_titles_for_person",
    "best_titles_for_unit",
    "check_person",
    "check_unit",
    "council_vote_passes",
    "dossier_complete",
    "government_flag_candidates",
    "is_ad_hoc_excluded",
    "ladder_position",
    "one_achievement_one_award",
    "params_in_force",
    "person_qualifies",
    "rating_quota_ok",
    "reward_amount",
    "select_ministry_flags",
    "tie_break_key",
    "unit_qualifies",
]
