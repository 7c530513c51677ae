"""Data migration: the award catalogue of docs/domain.md (titles and commendation forms).

Coefficients multiply the base salary in force on the decision date. Vote thresholds are the
share of ALL council members who must agree (80 % or 90 %); empty where no council vote is
needed. Values marked [U] in the domain research are defaults the secretary can change.
"""

from decimal import Decimal

from django.db import migrations

# code, name, subject, kind, level, rank, coefficient, vote threshold, ad hoc, legal basis
CATALOGUE = [
    ("LDTT", "Lao động tiên tiến", "individual", "title", "unit", 10, "0.3", None, False, "Luật TĐKT 2022, Điều 24"),
    ("CSTDCS", "Chiến sĩ thi đua cơ sở", "individual", "title", "unit", 20, "1.0", "80", False, "Luật TĐKT 2022, Điều 23"),
    ("CSTD_BO", "Chiến sĩ thi đua cấp Bộ", "individual", "title", "ministry", 30, "3.0", "90", False, "Luật TĐKT 2022, Điều 22"),
    ("CSTD_TQ", "Chiến sĩ thi đua toàn quốc", "individual", "title", "state", 40, "4.5", "90", False, "Luật TĐKT 2022, Điều 21"),
    ("TTLDTT", "Tập thể lao động tiên tiến", "collective", "title", "unit", 10, "0.8", None, False, "Luật TĐKT 2022, Điều 28"),
    ("TTLDXS", "Tập thể lao động xuất sắc", "collective", "title", "ministry", 20, "1.5", None, False, "Luật TĐKT 2022, Điều 27"),
    ("CO_BO", "Cờ thi đua của Bộ Tài chính", "collective", "title", "ministry", 30, "8.0", "80", False, "Luật TĐKT 2022, Điều 26"),
    ("CO_CP", "Cờ thi đua của Chính phủ", "collective", "title", "government", 40, "12.0", "80", False, "Luật TĐKT 2022, Điều 25"),
    ("GK_CN", "Giấy khen (cá nhân)", "individual", "commendation", "unit", 50, "0.3", None, False, "Luật TĐKT 2022, Điều 75"),
    ("BK_BO_CN", "Bằng khen của Bộ trưởng Bộ Tài chính (cá nhân)", "individual", "commendation", "ministry", 60, "1.5", None, False, "Luật TĐKT 2022, Điều 74"),
    ("BK_TTG_CN", "Bằng khen của Thủ tướng Chính phủ (cá nhân)", "individual", "commendation", "government", 70, "3.5", None, False, "Luật TĐKT 2022, Điều 73"),
    ("HCLD3_CN", "Huân chương Lao động hạng Ba (cá nhân)", "individual", "commendation", "state", 80, "4.5", None, False, "Luật TĐKT 2022, Điều 45"),
    ("HCLD2_CN", "Huân chương Lao động hạng Nhì (cá nhân)", "individual", "commendation", "state", 81, "7.5", None, False, "Luật TĐKT 2022, Điều 45"),
    ("HCLD1_CN", "Huân chương Lao động hạng Nhất (cá nhân)", "individual", "commendation", "state", 82, "9.0", None, False, "Luật TĐKT 2022, Điều 45"),
    ("KNC", "Kỷ niệm chương Vì sự nghiệp xây dựng và phát triển ngành Hải quan", "individual", "commendation", "ministry", 45, "0", None, True, "Luật TĐKT 2022, Điều 71"),
    ("GK_TT", "Giấy khen (tập thể)", "collective", "commendation", "unit", 50, "0.6", None, False, "Luật TĐKT 2022, Điều 75"),
    ("BK_BO_TT", "Bằng khen của Bộ trưởng Bộ Tài chính (tập thể)", "collective", "commendation", "ministry", 60, "3.0", None, False, "Luật TĐKT 2022, Điều 74"),
    ("BK_TTG_TT", "Bằng khen của Thủ tướng Chính phủ (tập thể)", "collective", "commendation", "government", 70, "7.0", None, False, "Luật TĐKT 2022, Điều 73"),
    ("HCLD3_TT", "Huân chương Lao động hạng Ba (tập thể)", "collective", "commendation", "state", 80, "9.0", None, False, "Luật TĐKT 2022, Điều 45"),
    ("HCLD2_TT", "Huân chương Lao động hạng Nhì (tập thể)", "collective", "commendation", "state", 81, "15.0", None, False, "Luật TĐKT 2022, Điều 45"),
    ("HCLD1_TT", "Huân chương Lao động hạng Nhất (tập thể)", "collective", "commendation", "state", 82, "18.0", None, False, "Luật TĐKT 2022, Điều 45"),
]


def load_catalogue(apps, schema_editor):
    award_type = apps.get_model("awards", "AwardType")
    for code, name, subject, kind, level, rank, coefficient, threshold, ad_hoc, article in CATALOGUE:
        award_type.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "subject": subject,
                "kind": kind,
                "level": level,
                "rank_order": rank,
                "coefficient": Decimal(coefficient),
                "vote_threshold": None if threshold is None else Decimal(threshold),
                "is_ad_hoc": ad_hoc,
                "legal_article": article,
            },
        )


def unload_catalogue(apps, schema_editor):
    award_type = apps.get_model("awards", "AwardType")
    award_type.objects.filter(code__in=[row[0] for row in CATALOGUE], records__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("awards", "0001_catalogue_facts_nominations")]

    operations = [migrations.RunPython(load_catalogue, unload_catalogue)]
