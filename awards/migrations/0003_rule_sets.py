"""Data migration: the two legal rule sets of the eligibility engine, by effective date.

Decree 98/2023/NĐ-CP is in force from 01/01/2024 to 30/06/2025, Decree 152/2025/NĐ-CP from
01/07/2025. Each row's `params` is the JSON of the engine's parameter set of that decree
(awards.eligibility.params: DECREE_98_2023.to_dict() and DECREE_152_2025.to_dict()), written
out here because a migration never imports application code; a test checks that the two stay
equal. The only difference between them is the dossier (rule 19): under Decree 98/2023 the vote
result may be part of the minutes. The secretary can change the parameters afterwards in the
admin; years judged before 2024 use the earliest rule set (see awards.services.eligibility).
"""

import datetime

from django.db import migrations

DECREE_98_2023_PARAMS = {
    "registration_required": True,
    "registration_titles": ["LDTT", "CSTDCS", "CSTD_BO", "CSTD_TQ", "TTLDTT", "TTLDXS", "CO_BO", "CO_CP"],
    "current_year_by_eligibility": True,
    "ldtt_min_rating": "good",
    "ldtt_min_months_worked": 10,
    "ldtt_discipline_min_level": "reprimand",
    "cstdcs_initiative_min_level": "unit",
    "cstdcs_quota_enabled": False,
    "cstdcs_quota_share": "3/20",
    "cstdcs_quota_minimum": 0,
    "cstd_bo_run_years": 3,
    "cstd_bo_initiative_min_level": "ministry",
    "cstd_bo_run_reusable": False,
    "cstd_tq_consecutive_awards": 2,
    "vote_thresholds": {
        "CSTDCS": "4/5",
        "CSTD_BO": "9/10",
        "CSTD_TQ": "9/10",
        "CO_BO": "4/5",
        "CO_CP": "4/5",
    },
    "vote_default_threshold": "1/2",
    "vote_default_strict": True,
    "quorum_share": "2/3",
    "ttldtt_min_rating": "good",
    "ttldtt_ldtt_share": "1/2",
    "ttldtt_ldtt_share_strict": True,
    "ttldtt_member_discipline_min_level": "warning",
    "ttldxs_min_rating": "excellent",
    "ttldxs_completed_share": "1",
    "ttldxs_ldtt_share": "7/10",
    "ttldxs_min_cstdcs_members": 1,
    "ttldxs_member_discipline_min_level": None,
    "ttldxs_quota_enabled": False,
    "ttldxs_quota_share": "1/5",
    "ttldxs_quota_minimum": 1,
    "ministry_flag_max_position": 1,
    "ministry_flags_per_cluster": 1,
    "bk_bo_cstdcs_years": 2,
    "bk_bo_excellent_years": 2,
    "bk_bo_min_initiatives": 2,
    "bk_bo_initiative_min_level": "unit",
    "bk_bo_collective_years": 2,
    "long_run_awards": {
        "BK_TTG": {
            "prior_awards": ["BK_BO"],
            "excellent_years": 5,
            "min_initiatives": 0,
            "initiative_min_level": "unit",
        },
        "HCLD3": {
            "prior_awards": ["BK_TTG"],
            "excellent_years": 5,
            "min_initiatives": 0,
            "initiative_min_level": "unit",
        },
        "HCLD2": {
            "prior_awards": ["HCLD3"],
            "excellent_years": 5,
            "min_initiatives": 0,
            "initiative_min_level": "unit",
        },
        "HCLD1": {
            "prior_awards": ["HCLD2"],
            "excellent_years": 5,
            "min_initiatives": 0,
            "initiative_min_level": "unit",
        },
    },
    "rating_quota_share": "1/5",
    "rating_quota_share_exception": "1/4",
    "rating_quota_base": "good",
    "tie_break_women_share": "7/10",
    "dossier_documents": ["proposal", "achievement_report", "minutes"],
    "dossier_extra": {
        "CSTDCS": [["initiative_proof", "rating_proof"]],
        "CSTD_BO": [["initiative_proof"]],
        "CSTD_TQ": [["initiative_proof"]],
    },
    "individual_coefficients": {
        "LDTT": "0.3",
        "CSTDCS": "1.0",
        "CSTD_BO": "3.0",
        "CSTD_TQ": "4.5",
        "GK": "0.3",
        "BK_BO": "1.5",
        "BK_TTG": "3.5",
        "HCLD3": "4.5",
        "HCLD2": "7.5",
        "HCLD1": "9.0",
    },
    "collective_coefficients": {
        "TTLDTT": "0.8",
        "TTLDXS": "1.5",
        "CO_BO": "8.0",
        "CO_CP": "12.0",
        "GK": "0.6",
        "BK_BO": "3.0",
        "BK_TTG": "7.0",
        "HCLD3": "9.0",
        "HCLD2": "15.0",
        "HCLD1": "18.0",
    },
    "base_salaries": [["2019-07-01", "1490000"], ["2023-07-01", "1800000"], ["2024-07-01", "2340000"]],
}

DECREE_152_2025_PARAMS = {
    "registration_required": True,
    "registration_titles": ["LDTT", "CSTDCS", "CSTD_BO", "CSTD_TQ", "TTLDTT", "TTLDXS", "CO_BO", "CO_CP"],
    "current_year_by_eligibility": True,
    "ldtt_min_rating": "good",
    "ldtt_min_months_worked": 10,
    "ldtt_discipline_min_level": "reprimand",
    "cstdcs_initiative_min_level": "unit",
    "cstdcs_quota_enabled": False,
    "cstdcs_quota_share": "3/20",
    "cstdcs_quota_minimum": 0,
    "cstd_bo_run_years": 3,
    "cstd_bo_initiative_min_level": "ministry",
    "cstd_bo_run_reusable": False,
    "cstd_tq_consecutive_awards": 2,
    "vote_thresholds": {
        "CSTDCS": "4/5",
        "CSTD_BO": "9/10",
        "CSTD_TQ": "9/10",
        "CO_BO": "4/5",
        "CO_CP": "4/5",
    },
    "vote_default_threshold": "1/2",
    "vote_default_strict": True,
    "quorum_share": "2/3",
    "ttldtt_min_rating": "good",
    "ttldtt_ldtt_share": "1/2",
    "ttldtt_ldtt_share_strict": True,
    "ttldtt_member_discipline_min_level": "warning",
    "ttldxs_min_rating": "excellent",
    "ttldxs_completed_share": "1",
    "ttldxs_ldtt_share": "7/10",
    "ttldxs_min_cstdcs_members": 1,
    "ttldxs_member_discipline_min_level": None,
    "ttldxs_quota_enabled": False,
    "ttldxs_quota_share": "1/5",
    "ttldxs_quota_minimum": 1,
    "ministry_flag_max_position": 1,
    "ministry_flags_per_cluster": 1,
    "bk_bo_cstdcs_years": 2,
    "bk_bo_excellent_years": 2,
    "bk_bo_min_initiatives": 2,
    "bk_bo_initiative_min_level": "unit",
    "bk_bo_collective_years": 2,
    "long_run_awards": {
        "BK_TTG": {
            "prior_awards": ["BK_BO"],
            "excellent_years": 5,
            "min_initiatives": 0,
            "initiative_min_level": "unit",
        },
        "HCLD3": {
            "prior_awards": ["BK_TTG"],
            "excellent_years": 5,
            "min_initiatives": 0,
            "initiative_min_level": "unit",
        },
        "HCLD2": {
            "prior_awards": ["HCLD3"],
            "excellent_years": 5,
            "min_initiatives": 0,
            "initiative_min_level": "unit",
        },
        "HCLD1": {
            "prior_awards": ["HCLD2"],
            "excellent_years": 5,
            "min_initiatives": 0,
            "initiative_min_level": "unit",
        },
    },
    "rating_quota_share": "1/5",
    "rating_quota_share_exception": "1/4",
    "rating_quota_base": "good",
    "tie_break_women_share": "7/10",
    "dossier_documents": ["proposal", "achievement_report", "minutes", "vote_result"],
    "dossier_extra": {
        "CSTDCS": [["initiative_proof", "rating_proof"]],
        "CSTD_BO": [["initiative_proof"]],
        "CSTD_TQ": [["initiative_proof"]],
    },
    "individual_coefficients": {
        "LDTT": "0.3",
        "CSTDCS": "1.0",
        "CSTD_BO": "3.0",
        "CSTD_TQ": "4.5",
        "GK": "0.3",
        "BK_BO": "1.5",
        "BK_TTG": "3.5",
        "HCLD3": "4.5",
        "HCLD2": "7.5",
        "HCLD1": "9.0",
    },
    "collective_coefficients": {
        "TTLDTT": "0.8",
        "TTLDXS": "1.5",
        "CO_BO": "8.0",
        "CO_CP": "12.0",
        "GK": "0.6",
        "BK_BO": "3.0",
        "BK_TTG": "7.0",
        "HCLD3": "9.0",
        "HCLD2": "15.0",
        "HCLD1": "18.0",
    },
    "base_salaries": [["2019-07-01", "1490000"], ["2023-07-01", "1800000"], ["2024-07-01", "2340000"]],
}

RULE_SETS = [
    (
        "Nghị định 98/2023/NĐ-CP",
        "Luật Thi đua, khen thưởng số 06/2022/QH15; Nghị định 98/2023/NĐ-CP",
        datetime.date(2024, 1, 1),
        datetime.date(2025, 6, 30),
        DECREE_98_2023_PARAMS,
    ),
    (
        "Nghị định 152/2025/NĐ-CP",
        "Luật Thi đua, khen thưởng số 06/2022/QH15; Nghị định 152/2025/NĐ-CP; Thông tư 15/2025/TT-BNV",
        datetime.date(2025, 7, 1),
        None,
        DECREE_152_2025_PARAMS,
    ),
]


def load_rule_sets(apps, schema_editor):
    rule_set = apps.get_model("awards", "RuleSet")
    for name, legal_basis, effective_from, effective_to, params in RULE_SETS:
        rule_set.objects.get_or_create(
            effective_from=effective_from,
            defaults={
                "name": name,
                "legal_basis": legal_basis,
                "effective_to": effective_to,
                "params": params,
            },
        )


def unload_rule_sets(apps, schema_editor):
    rule_set = apps.get_model("awards", "RuleSet")
    rule_set.objects.filter(effective_from__in=[row[2] for row in RULE_SETS]).delete()


class Migration(migrations.Migration):
    dependencies = [("awards", "0002_award_catalogue")]

    operations = [migrations.RunPython(load_rule_sets, unload_rule_sets)]
