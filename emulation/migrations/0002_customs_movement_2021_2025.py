"""Data migration: the Vietnam Customs patriotic emulation movement 2021–2025 and its scoring table.

The seven task areas are worded as in the movement's launch text; the 100-point table with its
criteria is our own design (docs/domain.md): no published Customs table exists. The secretary can
change every criterion afterwards on the movement's page.
"""

from decimal import Decimal

from django.db import migrations

MOVEMENT = {
    "title": "Phong trào thi đua yêu nước ngành Hải quan giai đoạn 2021 – 2025",
    "theme": 'Đoàn kết – Kỷ cương – Đổi mới – Sáng tạo, thi đua xây dựng Hải quan Việt Nam hiện đại, chuyên nghiệp góp phần thực hiện thắng lợi nhiệm vụ chính trị giai đoạn 5 năm 2021 – 2025',
    "start_year": 2021,
    "end_year": 2025,
    "launched_on": "2020-08-20",
}

TASK_AREAS = [{'number': 1,
  'title': 'Tổ chức phong trào thi đua',
  'description': 'Tổ chức thực hiện phong trào thi đua với các hình thức phong phú, sinh động; gắn '
                 'phong trào thi đua yêu nước với việc đẩy mạnh “Học tập và làm theo tấm gương đạo '
                 'đức Chủ tịch Hồ Chí Minh” và các phong trào do Đảng, Nhà nước và Chính phủ phát '
                 'động trong giai đoạn 2020-2025.',
  'max_points': 10,
  'criteria': [{'code': '1.1',
                'title': 'Ban hành kế hoạch triển khai phong trào thi đua của năm đúng hạn',
                'max_points': 3,
                'measure': 'yes_no',
                'direction': 'higher',
                'target_max': None,
                'guidance': 'Có = kế hoạch ban hành trước ngày 31/01.',
                'order': 1},
               {'code': '1.2',
                'title': 'Tỷ lệ công chức, viên chức, người lao động đăng ký thi đua',
                'max_points': 3,
                'measure': 'percent',
                'direction': 'higher',
                'target_max': None,
                'guidance': '',
                'order': 2},
               {'code': '1.3',
                'title': 'Số đợt thi đua chuyên đề, theo đợt được phát động và sơ kết',
                'max_points': 2,
                'measure': 'count',
                'direction': 'higher',
                'target_max': None,
                'guidance': '',
                'order': 3},
               {'code': '1.4',
                'title': 'Số hoạt động gắn với việc học tập và làm theo tấm gương đạo đức Hồ Chí '
                         'Minh',
                'max_points': 2,
                'measure': 'count',
                'direction': 'higher',
                'target_max': None,
                'guidance': '',
                'order': 4}]},
 {'number': 2,
  'title': 'Lãnh đạo, cấp ủy, đảng viên đi đầu nêu gương',
  'description': 'Lãnh đạo, cấp ủy và các đảng viên phải đi đầu thực hiện 7 nội dung nêu gương (về '
                 'tư tưởng chính trị; đạo đức, lối sống, tác phong; tự phê bình, phê bình; quan hệ '
                 'với nhân dân; trách nhiệm trong công tác; ý thức tổ chức kỷ luật và đoàn kết nội '
                 'bộ) theo các Quy định số 101 – QĐ/TW ngày 07/6/2012, Quy định số 08-QĐ/TW ngày '
                 '25/10/2018 của Ban chấp hành Trung ương quy định trách nhiệm nêu gương của cán '
                 'bộ, đảng viên.',
  'max_points': 10,
  'criteria': [{'code': '2.1',
                'title': 'Tỷ lệ lãnh đạo, đảng viên cam kết và thực hiện 7 nội dung nêu gương',
                'max_points': 4,
                'measure': 'percent',
                'direction': 'higher',
                'target_max': None,
                'guidance': 'Theo Quy định 101-QĐ/TW và 08-QĐ/TW.',
                'order': 1},
               {'code': '2.2',
                'title': 'Số lãnh đạo, đảng viên bị xử lý kỷ luật trong năm',
                'max_points': 3,
                'measure': 'count',
                'direction': 'lower',
                'target_max': None,
                'guidance': 'Thấp hơn là tốt hơn; mục tiêu 0.',
                'order': 2},
               {'code': '2.3',
                'title': 'Tổ chức kiểm điểm tự phê bình và phê bình đúng quy định',
                'max_points': 3,
                'measure': 'yes_no',
                'direction': 'higher',
                'target_max': None,
                'guidance': '',
                'order': 3}]},
 {'number': 3,
  'title': 'Hải quan điện tử và cách mạng công nghiệp 4.0',
  'description': 'Phấn đấu đến năm 2025, hoàn thành xây dựng cơ quan hải quan điện tử thống nhất '
                 'với kiến trúc Chính phủ điện tử; áp dụng thành quả cách mạng công nghiệp 4.0 '
                 'trong quản lý hải quan.',
  'max_points': 15,
  'criteria': [{'code': '3.1',
                'title': 'Tỷ lệ thủ tục hành chính cung cấp dịch vụ công trực tuyến toàn trình',
                'max_points': 5,
                'measure': 'percent',
                'direction': 'higher',
                'target_max': None,
                'guidance': '',
                'order': 1},
               {'code': '3.2',
                'title': 'Tỷ lệ tờ khai được xử lý và thông quan trên hệ thống điện tử',
                'max_points': 4,
                'measure': 'percent',
                'direction': 'higher',
                'target_max': None,
                'guidance': '',
                'order': 2},
               {'code': '3.3',
                'title': 'Số giải pháp ứng dụng công nghệ 4.0 đưa vào vận hành',
                'max_points': 3,
                'measure': 'count',
                'direction': 'higher',
                'target_max': None,
                'guidance': '',
                'order': 3},
               {'code': '3.4',
                'title': 'Tỷ lệ hồ sơ công việc được xử lý trên môi trường mạng',
                'max_points': 3,
                'measure': 'percent',
                'direction': 'higher',
                'target_max': None,
                'guidance': '',
                'order': 4}]},
 {'number': 4,
  'title': 'Thu ngân sách, thuế điện tử, thông quan 24/7 và nợ đọng',
  'description': 'Phấn đấu hoàn thành nhiệm vụ thu ngân sách Nhà nước do Quốc hội, Chính phủ giao '
                 'và quyết tâm đạt chỉ tiêu phấn đấu do Bộ Tài chính giao hàng năm. Phấn đấu đến '
                 'năm 2025 số thu NSNN thông qua thu thuế điện tử và thông quan 24/7 đạt 100%. '
                 'Công khai kịp thời các doanh nghiệp nợ thuế, giảm nợ đọng thuế, không để phát '
                 'sinh nợ mới, không để nợ năm sau cao hơn năm trước.',
  'max_points': 20,
  'criteria': [{'code': '4.1',
                'title': 'Số thu ngân sách nhà nước so với chỉ tiêu được giao',
                'max_points': 7,
                'measure': 'percent',
                'direction': 'higher',
                'target_max': 200,
                'guidance': 'Tính theo % chỉ tiêu Bộ Tài chính giao; có thể vượt 100 %.',
                'order': 1},
               {'code': '4.2',
                'title': 'Tỷ lệ số thu nộp qua thu thuế điện tử và thông quan 24/7',
                'max_points': 5,
                'measure': 'percent',
                'direction': 'higher',
                'target_max': None,
                'guidance': 'Mục tiêu của phong trào: 100 % vào năm 2025.',
                'order': 2},
               {'code': '4.3',
                'title': 'Triển khai thông quan 24/7 tại đơn vị',
                'max_points': 3,
                'measure': 'yes_no',
                'direction': 'higher',
                'target_max': None,
                'guidance': '',
                'order': 3},
               {'code': '4.4',
                'title': 'Nợ thuế đọng chuyển sang năm sau',
                'max_points': 5,
                'measure': 'money',
                'direction': 'lower',
                'target_max': None,
                'guidance': 'Tính bằng đồng; không để nợ năm sau cao hơn năm trước.',
                'order': 4}]},
 {'number': 5,
  'title': 'Kiểm soát hải quan, chống buôn lậu, gian lận thương mại và hàng giả',
  'description': 'Tăng cường công tác kiểm soát hải quan, chống buôn lậu, gian lận thương mại và '
                 'hàng giả theo chỉ đạo của Chính phủ; không để xẩy ra tổ chức, ổ, nhóm buôn lậu '
                 'trong phạm vi, địa bàn Hải quan quản lý.',
  'max_points': 20,
  'criteria': [{'code': '5.1',
                'title': 'Số vụ vi phạm pháp luật hải quan được phát hiện, bắt giữ',
                'max_points': 6,
                'measure': 'count',
                'direction': 'higher',
                'target_max': None,
                'guidance': '',
                'order': 1},
               {'code': '5.2',
                'title': 'Số tiền thu nộp ngân sách từ xử lý vi phạm',
                'max_points': 5,
                'measure': 'money',
                'direction': 'higher',
                'target_max': None,
                'guidance': 'Tính bằng đồng.',
                'order': 2},
               {'code': '5.3',
                'title': 'Số vụ khởi tố hoặc chuyển cơ quan điều tra đề nghị khởi tố',
                'max_points': 4,
                'measure': 'count',
                'direction': 'higher',
                'target_max': None,
                'guidance': '',
                'order': 3},
               {'code': '5.4',
                'title': 'Không để hình thành tổ chức, ổ, nhóm buôn lậu trên địa bàn quản lý',
                'max_points': 5,
                'measure': 'yes_no',
                'direction': 'higher',
                'target_max': None,
                'guidance': '',
                'order': 4}]},
 {'number': 6,
  'title': 'Tổ chức bộ máy, biên chế, kỷ cương, kỷ luật',
  'description': 'Tiếp tục nghiên cứu sắp xếp tổ chức bộ máy, tinh giản biên chế, xác định vị trí '
                 'việc làm, cơ cấu ngạch với sử dụng và quản lý biên chế công chức, viên chức; '
                 'tăng cường kỷ cương, kỷ luật hành chính đối với công chức, viên chức; tăng cường '
                 'kiểm soát quyền lực, trách nhiệm của người đứng đầu đơn vị trong thực thi công '
                 'vụ; chống chạy chức, chạy quyền, chạy vị trí làm việc.',
  'max_points': 15,
  'criteria': [{'code': '6.1',
                'title': 'Hoàn thành sắp xếp tổ chức bộ máy và vị trí việc làm theo kế hoạch',
                'max_points': 4,
                'measure': 'yes_no',
                'direction': 'higher',
                'target_max': None,
                'guidance': '',
                'order': 1},
               {'code': '6.2',
                'title': 'Tỷ lệ tinh giản biên chế đạt so với kế hoạch',
                'max_points': 3,
                'measure': 'percent',
                'direction': 'higher',
                'target_max': None,
                'guidance': '',
                'order': 2},
               {'code': '6.3',
                'title': 'Số công chức vi phạm kỷ cương, kỷ luật hành chính',
                'max_points': 4,
                'measure': 'count',
                'direction': 'lower',
                'target_max': None,
                'guidance': 'Thấp hơn là tốt hơn; mục tiêu 0.',
                'order': 3},
               {'code': '6.4',
                'title': 'Tỷ lệ công chức được đào tạo, bồi dưỡng chuyên môn trong năm',
                'max_points': 4,
                'measure': 'percent',
                'direction': 'higher',
                'target_max': None,
                'guidance': '',
                'order': 4}]},
 {'number': 7,
  'title': 'Điển hình tiên tiến và khen thưởng kịp thời',
  'description': 'Chú trọng bồi dưỡng, xây dựng, nhân rộng các điển hình tiên tiến, gương người '
                 'tốt, việc tốt. Biểu dương tôn vinh và khen thưởng kịp thời các tập thể, cá nhân '
                 'đạt nhiều thành tích trong các phong trào thi đua. Thực hiện đồng bộ cả 4 khâu: '
                 '“Phát hiện – Bồi dưỡng – Tổng kết – Nhân rộng điển hình tiên tiến”.',
  'max_points': 10,
  'criteria': [{'code': '7.1',
                'title': 'Số điển hình tiên tiến được phát hiện và bồi dưỡng',
                'max_points': 3,
                'measure': 'count',
                'direction': 'higher',
                'target_max': None,
                'guidance': 'Bốn khâu: phát hiện – bồi dưỡng – tổng kết – nhân rộng.',
                'order': 1},
               {'code': '7.2',
                'title': 'Số sáng kiến được công nhận',
                'max_points': 3,
                'measure': 'count',
                'direction': 'higher',
                'target_max': None,
                'guidance': '',
                'order': 2},
               {'code': '7.3',
                'title': 'Tỷ lệ hồ sơ khen thưởng được giải quyết đúng thời hạn',
                'max_points': 2,
                'measure': 'percent',
                'direction': 'higher',
                'target_max': None,
                'guidance': '',
                'order': 3},
               {'code': '7.4',
                'title': 'Tổ chức tổng kết, nhân rộng điển hình tiên tiến trong năm',
                'max_points': 2,
                'measure': 'yes_no',
                'direction': 'higher',
                'target_max': None,
                'guidance': '',
                'order': 4}]}]


def load_movement(apps, schema_editor):
    movement_model = apps.get_model("emulation", "Movement")
    task_area_model = apps.get_model("emulation", "TaskArea")
    criterion_model = apps.get_model("emulation", "Criterion")
    movement, _created = movement_model.objects.get_or_create(
        title=MOVEMENT["title"],
        defaults={
            "theme": MOVEMENT["theme"],
            "start_year": MOVEMENT["start_year"],
            "end_year": MOVEMENT["end_year"],
            "launched_on": MOVEMENT["launched_on"],
        },
    )
    for area in TASK_AREAS:
        task_area, _created = task_area_model.objects.get_or_create(
            movement=movement,
            number=area["number"],
            defaults={
                "title": area["title"],
                "description": area["description"],
                "max_points": Decimal(area["max_points"]),
            },
        )
        for criterion in area["criteria"]:
            target_max = criterion["target_max"]
            criterion_model.objects.get_or_create(
                task_area=task_area,
                code=criterion["code"],
                defaults={
                    "title": criterion["title"],
                    "order": criterion["order"],
                    "max_points": Decimal(criterion["max_points"]),
                    "measure": criterion["measure"],
                    "direction": criterion["direction"],
                    "target_max": None if target_max is None else Decimal(target_max),
                    "guidance": criterion["guidance"],
                },
            )


def unload_movement(apps, schema_editor):
    movement_model = apps.get_model("emulation", "Movement")
    period_model = apps.get_model("emulation", "Period")
    movement = movement_model.objects.filter(title=MOVEMENT["title"]).first()
    if movement is not None and not period_model.objects.filter(movement=movement).exists():
        movement.delete()


class Migration(migrations.Migration):
    dependencies = [("emulation", "0001_movement_periods_pledges")]

    operations = [migrations.RunPython(load_movement, unload_movement)]
