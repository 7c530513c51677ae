"""The demo organisation of docs/domain.md ("The demo organisation"), loaded by `manage.py seed_demo`.

The Department of Customs after the 2025 restructuring: 12 headquarters units, 20 regional branches
with 6–8 offices each, the former provincial departments they took over, the clusters and block
of 2021–2026, about 2,500 staff and one demo login per role. `--scale N` multiplies the branches.

Three properties matter more than realism:

- deterministic: every random draw comes from a generator seeded with (seed, unit code), so a
  unit's offices and staff depend neither on the scale nor on any other unit; `--scale 2` on top
  of `--scale 1` only adds. `ctx.rng` is left untouched for the apps seeded after this one;
- idempotent: existing rows are looked up by their natural keys (codes, usernames) and only what
  is missing is created; nothing existing is changed, so a second run writes nothing. (So a run
  with another seed over existing data adds nothing either: flush the database to reseed.)
- fast: rows are written with bulk_create and a few bulk updates, never one query per row.
  bulk_create bypasses `Unit.save()` and `Staff.save()`, so `path`, `depth` and `search_text`
  are computed here the same way those methods do.
"""

from __future__ import annotations

import datetime
import random
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import TextIOBase
from itertools import accumulate
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import reset_queries
from django.utils.translation import gettext as _

from units.enums import LEADERSHIP_POSITIONS, ClusterKind, ClusterRole, Gender, Position, Role, UnitKind
from units.models import PATH_SEPARATOR, Assignment, Cluster, ClusterMembership, Staff, Unit
from units.services import record_lineage
from units.text import fold

# Printed by seed_demo for everyone trying the demo: a shared demo password, not a secret.
DEMO_PASSWORD = "ThiDua@2026"  # noqa: S105
DEMO_EMAIL_DOMAIN = "demo.haiquan.test"  # a reserved domain: demo mail never reaches anyone
DEMO_START = datetime.date(2021, 1, 1)
RESTRUCTURED_ON = datetime.date(2025, 3, 1)
YEARS = range(2021, 2027)
# Ages and service dates are counted from here, never from today, so the data does not drift.
REFERENCE_YEAR = 2025
BATCH_SIZE = 2000
STAFF_CHUNK = 20000  # staff built in memory at a time (--scale 100 has about 220,000)
BRANCHES_PER_SCALE = 20
BRANCHES_PER_CLUSTER = 5


class DemoLogin(NamedTuple):
    role: str
    username: str
    password: str
    note: str


@dataclass
class DemoContext:
    """What `seed_demo` hands to each app's `demo.seed(ctx)`, in INSTALLED_APPS order.

    `shared` passes things from one app's seed to the next (units puts the unit ids by code
    there); `logins` collects the demo accounts the command prints at the end.
    """

    seed: int
    scale: int
    stdout: TextIOBase
    rng: random.Random = field(init=False)
    shared: dict[str, Any] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)
    # In production (seed_demo --allow-production) each new account gets its own random password
    # instead of the published DEMO_PASSWORD; the logins then carry it, or "" for an old account.
    random_passwords: bool = False

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)  # noqa: S311 - demo data, not security

    def rng_for(self, *key: object) -> random.Random:
        """A generator of its own for one part of the data, fixed by the seed and the key."""
        return random.Random(":".join(str(part) for part in (self.seed, *key)))  # noqa: S311


# --- Organisation data (Vietnamese names are data, not interface text) ---------------------------

DEPARTMENT_CODE = "CHQ"
DEPARTMENT = ("Cục Hải quan", "Cục HQ")

HQ_UNITS = [
    ("Văn phòng", "VP"),
    ("Ban Tổ chức cán bộ", "TCCB"),
    ("Ban Thi đua – Khen thưởng", "TĐKT"),
    ("Ban Kiểm tra sau thông quan", "KTSTQ"),
    ("Ban Quản lý rủi ro", "QLRR"),
    ("Ban Giám sát quản lý về hải quan", "GSQL"),
    ("Ban Nghiệp vụ thuế hải quan", "NVT"),
    ("Ban Pháp chế", "PC"),
    ("Ban Điều tra chống buôn lậu", "ĐTCBL"),
    ("Trung tâm Dữ liệu và Công nghệ thông tin", "TTDL-CNTT"),
    ("Ban Tài vụ – Quản trị", "TVQT"),
    ("Ban Thanh tra – Kiểm tra", "TTKT"),
]

# Seat of each regional branch, north to south (so that clusters of five are areas), and its
# outposts ("Hải quan …"). Every branch also has the three offices of GENERIC_OFFICES.
BRANCH_SEATS = [
    "Hà Nội: cửa khẩu Sân bay quốc tế Nội Bài; Bắc Hà Nội; Gia Thụy; Bắc Thăng Long; "
    "Ga đường sắt quốc tế Yên Viên",
    "Hải Phòng: cửa khẩu Cảng Hải Phòng khu vực I; cửa khẩu Cảng Hải Phòng khu vực II; "
    "cửa khẩu Cảng Đình Vũ; Hải Dương; Hưng Yên",
    "Quảng Ninh: cửa khẩu quốc tế Móng Cái; cửa khẩu Cảng Cái Lân; cửa khẩu Cảng Cẩm Phả; "
    "cửa khẩu Hoành Mô; cửa khẩu Bắc Phong Sinh",
    "Lạng Sơn: cửa khẩu quốc tế Hữu Nghị; Ga đường sắt quốc tế Đồng Đăng; cửa khẩu Chi Ma; "
    "cửa khẩu Tà Lùng; cửa khẩu Trà Lĩnh",
    "Lào Cai: cửa khẩu quốc tế Lào Cai; Ga đường sắt quốc tế Lào Cai; cửa khẩu Mường Khương; "
    "cửa khẩu Ma Lù Thàng; Yên Bái",
    "Nghệ An: cửa khẩu quốc tế Nậm Cắn; cửa khẩu Cảng Cửa Lò; cửa khẩu Cảng Vũng Áng; "
    "cửa khẩu quốc tế Cầu Treo; Thanh Hóa",
    "Đà Nẵng: cửa khẩu Sân bay quốc tế Đà Nẵng; cửa khẩu Cảng Đà Nẵng; Khu công nghệ cao Đà Nẵng; "
    "cửa khẩu Cảng Kỳ Hà; cửa khẩu Nam Giang",
    "Khánh Hòa: cửa khẩu Cảng Nha Trang; cửa khẩu Sân bay quốc tế Cam Ranh; cửa khẩu Cảng Cam Ranh; "
    "Vân Phong; Ninh Thuận",
    "Bình Định: cửa khẩu Cảng Quy Nhơn; cửa khẩu Cảng Dung Quất; Phú Yên; cửa khẩu quốc tế Lệ Thanh; "
    "Quảng Ngãi",
    "Đắk Lắk: Buôn Ma Thuột; cửa khẩu quốc tế Bờ Y; cửa khẩu BuPrăng; Kon Tum; Đà Lạt",
    "TP. Hồ Chí Minh: cửa khẩu Sân bay quốc tế Tân Sơn Nhất; cửa khẩu Cảng Sài Gòn khu vực I; "
    "cửa khẩu Cảng Cát Lái; Khu chế xuất Tân Thuận; Chuyển phát nhanh",
    "Đồng Nai: Biên Hòa; Long Thành; Nhơn Trạch; Thống Nhất; cửa khẩu Cảng Đồng Nai",
    "Bình Dương: Sóng Thần; Mỹ Phước; Khu công nghiệp VSIP; cửa khẩu quốc tế Hoa Lư; Chơn Thành",
    "Bà Rịa – Vũng Tàu: cửa khẩu Cảng Cái Mép; cửa khẩu Cảng Phú Mỹ; cửa khẩu Cảng Cát Lở; Côn Đảo; "
    "Bình Thuận",
    "Tây Ninh: cửa khẩu quốc tế Mộc Bài; cửa khẩu quốc tế Xa Mát; Phước Tân; Trảng Bàng; cửa khẩu Kà Tum",
    "Long An: cửa khẩu quốc tế Bình Hiệp; Bến Lức; Đức Hòa; cửa khẩu Cảng Mỹ Tho; cửa khẩu Mỹ Quý Tây",
    "Cần Thơ: cửa khẩu Cảng Cần Thơ; Tây Đô; Sóc Trăng; Vĩnh Long; cửa khẩu Sân bay quốc tế Cần Thơ",
    "An Giang: cửa khẩu quốc tế Tịnh Biên; cửa khẩu Vĩnh Xương; cửa khẩu Khánh Bình; "
    "cửa khẩu quốc tế Thường Phước; cửa khẩu Cảng Mỹ Thới",
    "Kiên Giang: cửa khẩu quốc tế Hà Tiên; Phú Quốc; cửa khẩu Giang Thành; cửa khẩu Cảng Hòn Chông; Rạch Giá",
    "Cà Mau: Cà Mau; cửa khẩu Cảng Năm Căn; Bạc Liêu; cửa khẩu Sân bay Cà Mau; Hòn Khoai",
]
GENERIC_OFFICES = ["Phòng Tổng hợp", "Đội Nghiệp vụ", "Đội Kiểm soát Hải quan"]
# Words that make an outpost a border-gate office rather than an inland office.
BORDER_MARKERS = ("cửa khẩu", "Ga đường sắt")
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
ROMAN += ["X" + numeral for numeral in ROMAN[:9]] + ["XX"]

# Provincial departments closed on 28/02/2025 and the branches that took them over (one split).
FORMER_DEPARTMENTS = [
    ("CHQT-LSO", "Cục Hải quan tỉnh Lạng Sơn", "Lạng Sơn", ["KV04"]),
    ("CHQT-CBA", "Cục Hải quan tỉnh Cao Bằng", "Cao Bằng", ["KV04"]),
    ("CHQT-HTI", "Cục Hải quan tỉnh Hà Tĩnh", "Hà Tĩnh", ["KV06"]),
    ("CHQT-QNA", "Cục Hải quan tỉnh Quảng Nam", "Quảng Nam", ["KV07"]),
    ("CHQT-GLK", "Cục Hải quan tỉnh Gia Lai – Kon Tum", "Gia Lai – Kon Tum", ["KV09", "KV10"]),
    ("CHQT-BPH", "Cục Hải quan tỉnh Bình Phước", "Bình Phước", ["KV13"]),
    ("CHQT-DTH", "Cục Hải quan tỉnh Đồng Tháp", "Đồng Tháp", ["KV18"]),
]
LINEAGE_NOTE = "Sắp xếp tổ chức bộ máy ngành Hải quan từ 01/03/2025"

AREA_CLUSTER_NAME = "Cụm thi đua số {number}"
BLOCK_CODE = "KHOI-CQ"
BLOCK_NAME = "Khối các đơn vị thuộc cơ quan Cục"

# --- People (our own lists; family names weighted roughly by their frequency in Vietnam) ----------

FAMILY_NAMES = (
    "Nguyễn 38, Trần 11, Lê 9.5, Phạm 7, Hoàng 4, Phan 4.5, Vũ 3, Võ 1.5, Huỳnh 1.5, Đặng 2, Bùi 2, "
    "Đỗ 1.5, Hồ 1.3, Ngô 1.3, Dương 1, Đinh 0.8, Trương 0.8, Lý 0.5, Lương 0.5, Mai 0.5, Trịnh 0.5, "
    "Đào 0.5, Cao 0.4, Lâm 0.4, Hà 0.4, Tô 0.3, Tạ 0.3, Chu 0.2, Kiều 0.2, Quách 0.2"
)
# The usual middle name, how often it is used, and the others.
MIDDLE_NAMES = {
    Gender.MALE: (
        "Văn",
        0.35,
        "Đức Minh Quang Hữu Công Thành Xuân Ngọc Anh Mạnh Việt Trọng Đình Hoàng Quốc Tiến Duy Thanh Hải",
    ),
    Gender.FEMALE: (
        "Thị",
        0.5,
        "Ngọc Thu Thanh Minh Hồng Phương Thùy Kim Mai Bích Diệu Khánh Hoài Lan Thúy Quỳnh",
    ),
}
GIVEN_NAMES = {
    Gender.MALE: "Hùng Dũng Tuấn Minh Hải Long Nam Sơn Thắng Cường Quân Huy Phong Trung Hiếu Tùng Khoa Đạt "
    "Bình Thành Vinh Toàn Lâm Quang Tài Nghĩa Kiên Duy Hoàng Tiến Hưng Khánh Lợi Phúc Tâm Thịnh "
    "Việt Hòa An Bảo",
    Gender.FEMALE: "Lan Hương Hoa Mai Linh Trang Hằng Thảo Ngọc Nga Thủy Hà Vân Yến Phương Oanh Dung Huyền "
    "Nhung Loan Tâm Anh Chi Giang Hạnh Quỳnh Thu Trinh Vy My Nhàn Liên Hiền Duyên Uyên Thư Hồng Ly Châu",
}


def _seat(line: str) -> tuple[str, list[str]]:
    seat, outposts = line.split(": ")
    return seat, [f"Hải quan {outpost}" for outpost in outposts.split("; ")]


SEATS = [_seat(line) for line in BRANCH_SEATS]
FAMILY_LIST = [item.rsplit(" ", 1)[0] for item in FAMILY_NAMES.split(", ")]
FAMILY_CUM_WEIGHTS = list(accumulate(float(item.rsplit(" ", 1)[1]) for item in FAMILY_NAMES.split(", ")))
MIDDLES = {gender: (usual, share, others.split()) for gender, (usual, share, others) in MIDDLE_NAMES.items()}
GIVENS = {gender: names.split() for gender, names in GIVEN_NAMES.items()}

# Leaders are fewer women and all Party members; the others are drawn so that the whole staff is
# about 45 % women and 60 % Party members (leaders are about 17 % of the staff).
FEMALE_SHARE = {True: 0.30, False: 0.48}
PARTY_SHARE = {True: 1.0, False: 0.52}
EMPLOYEE_SHARE = 0.10
# Staff per unit: (smallest, largest) head count, leaders included.
STAFF_SIZE = {
    UnitKind.HQ_UNIT: (20, 30),
    UnitKind.REGIONAL_BRANCH: (6, 10),
    UnitKind.OFFICE: (12, 18),
    UnitKind.BORDER_OFFICE: (12, 18),
}
AGE_RANGE = {
    Position.DIRECTOR: (50, 58),
    Position.DEPUTY_DIRECTOR: (45, 58),
    Position.HEAD: (40, 58),
    Position.DEPUTY_HEAD: (35, 57),
    Position.OFFICER: (23, 59),
    Position.EMPLOYEE: (22, 55),
}


KEY_POSITIONS = {Position.DIRECTOR: "head", Position.HEAD: "head", Position.OFFICER: "officer"}


class UnitSpec(NamedTuple):
    code: str
    name: str
    short_name: str
    kind: str
    parent_code: str | None
    is_legal_entity: bool = False
    valid_to: datetime.date | None = None


class StaffSpec(NamedTuple):
    staff_code: str
    full_name: str
    gender: str
    date_of_birth: datetime.date
    is_party_member: bool
    position: str
    unit_code: str
    start_date: datetime.date


# Demo accounts: username, role label (Vietnamese, shown in the printed table), role group
# (None: the superuser), and the staff record linked to it: unit code and "head" (its head, or
# the director) or "officer" (its first civil servant without a leadership post). Committee
# members are spread over HQ units and branches of every cluster, never at department level
# (the department is an ancestor of every unit, so a member there would conflict with all).
DEMO_USERS = [
    ("admin", "Quản trị hệ thống", None, "HQ10", "officer"),
    ("lanhdao", "Lãnh đạo Cục", Role.LEADER, DEPARTMENT_CODE, "head"),
    ("thuongtruc", "Thường trực Hội đồng", Role.COMMITTEE_SECRETARY, "HQ03", "head"),
    ("donvi", "Cán bộ thi đua đơn vị", Role.UNIT_OFFICER, "KV01", "officer"),
    ("donvi2", "Cán bộ thi đua đơn vị", Role.UNIT_OFFICER, "KV02", "officer"),
    ("hoidong1", "Thành viên Hội đồng", Role.COMMITTEE_MEMBER, "HQ01", "head"),
    ("hoidong2", "Thành viên Hội đồng", Role.COMMITTEE_MEMBER, "HQ02", "head"),
    ("hoidong3", "Thành viên Hội đồng", Role.COMMITTEE_MEMBER, "HQ05", "head"),
    ("hoidong4", "Thành viên Hội đồng", Role.COMMITTEE_MEMBER, "HQ12", "head"),
    ("hoidong5", "Thành viên Hội đồng", Role.COMMITTEE_MEMBER, "KV01", "head"),
    ("hoidong6", "Thành viên Hội đồng", Role.COMMITTEE_MEMBER, "KV04", "head"),
    ("hoidong7", "Thành viên Hội đồng", Role.COMMITTEE_MEMBER, "KV07", "head"),
    ("hoidong8", "Thành viên Hội đồng", Role.COMMITTEE_MEMBER, "KV11", "head"),
    ("hoidong9", "Thành viên Hội đồng", Role.COMMITTEE_MEMBER, "KV17", "head"),
]


def seed(ctx: DemoContext) -> None:
    """Create what is missing of the demo organisation, its clusters, staff and demo logins.

    Side effects: rows in units, clusters, staff, assignments, lineage, auth users and their
    groups. Puts `unit_ids` (code -> pk) and `branch_codes` into `ctx.shared` for later apps.
    """
    specs = plan_units(ctx)
    unit_ids = _create_units(ctx, specs)
    _create_lineage()
    branch_codes = [
        spec.code for spec in specs if spec.kind == UnitKind.REGIONAL_BRANCH and not spec.valid_to
    ]
    hq_codes = [spec.code for spec in specs if spec.kind == UnitKind.HQ_UNIT]
    _create_clusters(ctx, unit_ids, branch_codes=branch_codes, hq_codes=hq_codes)
    key_staff = _create_staff(ctx, specs, unit_ids)
    _create_demo_users(ctx, specs, key_staff)
    ctx.shared["unit_ids"] = unit_ids
    ctx.shared["branch_codes"] = branch_codes


# --- Units -----------------------------------------------------------------------------------------


def branch_code(number: int) -> str:
    return f"KV{number:02d}"


def plan_units(ctx: DemoContext) -> list[UnitSpec]:
    """Every unit of the demo, parents before children."""
    specs = [
        UnitSpec(
            DEPARTMENT_CODE, *DEPARTMENT, kind=UnitKind.DEPARTMENT, parent_code=None, is_legal_entity=True
        )
    ]
    specs += [
        UnitSpec(f"HQ{number:02d}", name, short_name, UnitKind.HQ_UNIT, DEPARTMENT_CODE)
        for number, (name, short_name) in enumerate(HQ_UNITS, start=1)
    ]
    closed_on = RESTRUCTURED_ON - datetime.timedelta(days=1)
    specs += [
        UnitSpec(code, name, short_name, UnitKind.REGIONAL_BRANCH, DEPARTMENT_CODE, True, closed_on)
        for code, name, short_name, _successors in FORMER_DEPARTMENTS
    ]
    for number in range(1, BRANCHES_PER_SCALE * ctx.scale + 1):
        seat, outposts = SEATS[(number - 1) % BRANCHES_PER_SCALE]
        copy = (number - 1) // BRANCHES_PER_SCALE
        if copy:  # --scale N > 1: synthetic branches beyond the real twenty
            name, short_name = f"Chi cục Hải quan khu vực {number}", f"{seat} {copy + 1}"
        else:
            name, short_name = f"Chi cục Hải quan khu vực {ROMAN[number - 1]}", seat
        code = branch_code(number)
        specs.append(UnitSpec(code, name, short_name, UnitKind.REGIONAL_BRANCH, DEPARTMENT_CODE, True))
        office_count = ctx.rng_for("offices", code).randint(6, 8)
        office_names = (GENERIC_OFFICES + outposts)[:office_count]
        for index, office_name in enumerate(office_names, start=1):
            is_border = any(marker in office_name for marker in BORDER_MARKERS)
            kind = UnitKind.BORDER_OFFICE if is_border else UnitKind.OFFICE
            specs.append(UnitSpec(f"{code}-{index:02d}", office_name, "", kind, code))
    return specs


def _create_units(ctx: DemoContext, specs: list[UnitSpec]) -> dict[str, int]:
    """Create the missing units level by level; return the pk of every unit by code."""
    known = {
        code: (pk, path, depth)
        for code, pk, path, depth in Unit.objects.values_list("code", "pk", "path", "depth")
    }
    created = 0
    pending = [spec for spec in specs if spec.code not in known]
    while pending:
        # A level: the specs whose parent exists already (or that have none).
        level = [spec for spec in pending if spec.parent_code is None or spec.parent_code in known]
        if not level:
            raise ValueError(f"Demo units without a parent: {[spec.code for spec in pending]}")
        pending = [spec for spec in pending if not (spec.parent_code is None or spec.parent_code in known)]
        units = [_new_unit(spec, known.get(spec.parent_code)) for spec in level]
        Unit.objects.bulk_create(units, batch_size=BATCH_SIZE)
        for unit, spec in zip(units, level, strict=True):
            parent_path = known[spec.parent_code][1] if spec.parent_code else PATH_SEPARATOR
            unit.path = f"{parent_path}{unit.pk}{PATH_SEPARATOR}"
            known[unit.code] = (unit.pk, unit.path, unit.depth)
        Unit.objects.bulk_update(units, ["path"], batch_size=BATCH_SIZE)
        created += len(units)
    ctx.stdout.write(
        _("Units: %(created)d created, %(existing)d already there.")
        % {"created": created, "existing": len(specs) - created}
    )
    return {code: pk for code, (pk, _path, _depth) in known.items()}


def _new_unit(spec: UnitSpec, parent: tuple[int, str, int] | None) -> Unit:
    return Unit(
        code=spec.code,
        name=spec.name,
        short_name=spec.short_name,
        kind=spec.kind,
        parent_id=parent[0] if parent else None,
        is_legal_entity=spec.is_legal_entity,
        valid_from=DEMO_START,
        valid_to=spec.valid_to,
        depth=parent[2] + 1 if parent else 0,
        # The same text Unit.save() folds.
        search_text=fold(" ".join(filter(None, [spec.code, spec.name, spec.short_name]))),
    )


def _create_lineage() -> None:
    """Link each former provincial department to the branches that took it over."""
    units = Unit.objects.in_bulk(
        [code for code, *_rest in FORMER_DEPARTMENTS]
        + [code for *_rest, successors in FORMER_DEPARTMENTS for code in successors],
        field_name="code",
    )
    by_successor: dict[str, list[Unit]] = {}
    for code, _name, _short_name, successors in FORMER_DEPARTMENTS:
        for successor in successors:
            by_successor.setdefault(successor, []).append(units[code])
    # A handful of rows: the service is the sanctioned path (it also closes the predecessors).
    for successor, predecessors in by_successor.items():
        record_lineage(
            units[successor], predecessors=predecessors, effective_on=RESTRUCTURED_ON, note=LINEAGE_NOTE
        )


# --- Clusters --------------------------------------------------------------------------------------


def _create_clusters(
    ctx: DemoContext, unit_ids: dict[str, int], *, branch_codes: list[str], hq_codes: list[str]
) -> None:
    """Area clusters of five branches and the block of HQ units, each year; roles rotate yearly."""
    groups = [
        (f"CUM{number:02d}", AREA_CLUSTER_NAME.format(number=number), ClusterKind.AREA, members)
        for number, members in enumerate(_chunks(branch_codes, BRANCHES_PER_CLUSTER), start=1)
    ]
    groups.append((BLOCK_CODE, BLOCK_NAME, ClusterKind.FUNCTION, hq_codes))

    existing = {
        (year, code): pk
        for year, code, pk in Cluster.objects.filter(year__in=YEARS).values_list("year", "code", "pk")
    }
    new_clusters = [
        Cluster(year=year, code=code, name=name, kind=kind)
        for year in YEARS
        for code, name, kind, _members in groups
        if (year, code) not in existing
    ]
    Cluster.objects.bulk_create(new_clusters, batch_size=BATCH_SIZE)
    existing.update({(cluster.year, cluster.code): cluster.pk for cluster in new_clusters})

    placed = set(ClusterMembership.objects.filter(year__in=YEARS).values_list("unit_id", "year"))
    taken_roles = set(
        ClusterMembership.objects.filter(year__in=YEARS)
        .exclude(role=ClusterRole.MEMBER)
        .values_list("cluster_id", "role")
    )
    memberships = []
    for year in YEARS:
        for offset, (code, _name, _kind, members) in enumerate(groups):
            cluster_id = existing[(year, code)]
            # Leader and deputy move one place down the member list every year.
            turn = year - YEARS[0] + offset
            roles = {turn % len(members): ClusterRole.LEADER, (turn + 1) % len(members): ClusterRole.DEPUTY}
            for index, unit_code in enumerate(members):
                unit_id = unit_ids[unit_code]
                if (unit_id, year) in placed:
                    continue
                role = roles.get(index, ClusterRole.MEMBER)
                if (cluster_id, role) in taken_roles:
                    role = ClusterRole.MEMBER
                memberships.append(
                    ClusterMembership(cluster_id=cluster_id, unit_id=unit_id, year=year, role=role)
                )
    ClusterMembership.objects.bulk_create(memberships, batch_size=BATCH_SIZE)
    ctx.stdout.write(
        _("Clusters: %(clusters)d created, %(memberships)d memberships created.")
        % {"clusters": len(new_clusters), "memberships": len(memberships)}
    )


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


# --- Staff -----------------------------------------------------------------------------------------


def plan_staff(ctx: DemoContext, specs: list[UnitSpec]) -> Iterator[StaffSpec]:
    """Every staff member of the demo, unit by unit in plan order, with consecutive codes.

    Each unit draws from its own generator, so its staff is the same at every scale, and the
    codes of the first twenty branches do not move when more branches are added after them.
    """
    number = 0
    for spec in specs:
        if spec.valid_to is not None:
            continue  # closed units keep their history, not their staff
        rng = ctx.rng_for("staff", spec.code)
        for position in _posts(rng, spec.kind):
            number += 1
            yield _person(rng, f"CB{number:06d}", position, spec.code)


def _posts(rng: random.Random, kind: str) -> list[str]:
    """The positions of a unit's staff: its leaders first, then civil servants and employees."""
    if kind == UnitKind.DEPARTMENT:
        return [Position.DIRECTOR] + [Position.DEPUTY_DIRECTOR] * rng.randint(3, 4)
    size = rng.randint(*STAFF_SIZE[kind])
    deputies = rng.randint(1, 2)
    others = [
        Position.EMPLOYEE if rng.random() < EMPLOYEE_SHARE else Position.OFFICER
        for _ in range(size - 1 - deputies)
    ]
    return [Position.HEAD] + [Position.DEPUTY_HEAD] * deputies + others


def _person(rng: random.Random, staff_code: str, position: str, unit_code: str) -> StaffSpec:
    is_leader = position in LEADERSHIP_POSITIONS
    gender = Gender.FEMALE if rng.random() < FEMALE_SHARE[is_leader] else Gender.MALE
    family = rng.choices(FAMILY_LIST, cum_weights=FAMILY_CUM_WEIGHTS)[0]
    usual_middle, usual_share, other_middles = MIDDLES[gender]
    middle = usual_middle if rng.random() < usual_share else rng.choice(other_middles)
    given = rng.choice(GIVENS[gender])
    while given == middle:
        given = rng.choice(GIVENS[gender])
    youngest, oldest = AGE_RANGE[position]
    born = datetime.date(REFERENCE_YEAR - rng.randint(youngest, oldest), 1, 1)
    born += datetime.timedelta(days=rng.randrange(365))
    # Posted to the unit some time after starting work at 22, and before the reference year.
    earliest = max(datetime.date(born.year + 22, 1, 1), datetime.date(2005, 1, 1))
    latest = datetime.date(REFERENCE_YEAR - 1, 12, 31)
    start = earliest + datetime.timedelta(days=rng.randrange(max((latest - earliest).days, 0) + 1))
    return StaffSpec(
        staff_code=staff_code,
        full_name=f"{family} {middle} {given}",
        gender=gender,
        date_of_birth=born,
        is_party_member=rng.random() < PARTY_SHARE[is_leader],
        position=position,
        unit_code=unit_code,
        start_date=min(start, latest),
    )


def _create_staff(
    ctx: DemoContext, specs: list[UnitSpec], unit_ids: dict[str, int]
) -> dict[tuple[str, str], str]:
    """Create the missing staff with their open assignment, in chunks; return the key staff.

    The key staff are, per unit, the code of its head ("head") and of its first civil servant
    without a leadership post ("officer"): the demo logins are linked to them.
    """
    existing = set(Staff.objects.values_list("staff_code", flat=True))
    key_staff: dict[tuple[str, str], str] = {}
    pending: list[StaffSpec] = []
    created = total = 0
    for person in plan_staff(ctx, specs):
        total += 1
        role = KEY_POSITIONS.get(person.position)
        if role is not None:
            key_staff.setdefault((person.unit_code, role), person.staff_code)
        if person.staff_code in existing:
            continue
        pending.append(person)
        if len(pending) >= STAFF_CHUNK:
            created += _insert_staff(pending, unit_ids)
            pending = []
    created += _insert_staff(pending, unit_ids)
    ctx.stdout.write(
        _("Staff: %(created)d created, %(existing)d already there.")
        % {"created": created, "existing": total - created}
    )
    return key_staff


def _insert_staff(people: list[StaffSpec], unit_ids: dict[str, int]) -> int:
    staff = [
        Staff(
            staff_code=person.staff_code,
            full_name=person.full_name,
            gender=person.gender,
            date_of_birth=person.date_of_birth,
            is_party_member=person.is_party_member,
            position=person.position,
            is_leader=person.position in LEADERSHIP_POSITIONS,
            email=f"{person.staff_code.lower()}@{DEMO_EMAIL_DOMAIN}",
            unit_id=unit_ids[person.unit_code],
            # The same text Staff.save() folds.
            search_text=fold(f"{person.staff_code} {person.full_name}"),
        )
        for person in people
    ]
    Staff.objects.bulk_create(staff, batch_size=BATCH_SIZE)
    Assignment.objects.bulk_create(
        [
            Assignment(staff_id=member.pk, unit_id=member.unit_id, start_date=person.start_date)
            for member, person in zip(staff, people, strict=True)
        ],
        batch_size=BATCH_SIZE,
    )
    # With DEBUG on, Django keeps the text of every query; at --scale 100 that is hundreds of MB.
    reset_queries()
    return len(staff)


# --- Demo logins -----------------------------------------------------------------------------------


def _create_demo_users(
    ctx: DemoContext, specs: list[UnitSpec], key_staff: dict[tuple[str, str], str]
) -> None:
    """One account per role, linked to a staff record; existing accounts are left as they are."""
    user_model = get_user_model()
    usernames = [username for username, *_rest in DEMO_USERS]
    users = {user.username: user for user in user_model.objects.filter(username__in=usernames)}
    staff_by_code = Staff.objects.in_bulk(
        [key_staff[(unit_code, pick)] for *_rest, unit_code, pick in DEMO_USERS], field_name="staff_code"
    )
    staff_for = {
        username: staff_by_code[key_staff[(unit_code, pick)]]
        for username, *_rest, unit_code, pick in DEMO_USERS
    }

    missing = [username for username in usernames if username not in users]
    if ctx.random_passwords:
        passwords = {username: secrets.token_urlsafe(16) for username in missing}
        hashes = {username: make_password(password) for username, password in passwords.items()}
    else:
        passwords = dict.fromkeys(usernames, DEMO_PASSWORD)
        # One hash for all: the same published password, and hashing is deliberately slow.
        hashes = dict.fromkeys(missing, make_password(DEMO_PASSWORD)) if missing else {}
    if missing:
        new_users = [
            user_model(
                username=username,
                password=hashes[username],
                first_name=staff_for[username].full_name,
                email=staff_for[username].email,
                is_staff=username == "admin",
                is_superuser=username == "admin",
            )
            for username in missing
        ]
        user_model.objects.bulk_create(new_users)
        users.update({user.username: user for user in new_users})

    groups = {group.name: group.pk for group in Group.objects.filter(name__in=Role.values)}
    memberships = user_model.groups.through
    has_group = set(
        memberships.objects.filter(user__username__in=usernames).values_list("user_id", "group_id")
    )
    memberships.objects.bulk_create(
        [
            memberships(user_id=users[username].pk, group_id=groups[role])
            for username, _label, role, *_rest in DEMO_USERS
            if role is not None and (users[username].pk, groups[role]) not in has_group
        ]
    )

    linked_users = set(Staff.objects.filter(user__username__in=usernames).values_list("user_id", flat=True))
    to_link = []
    for username in usernames:
        member, user = staff_for[username], users[username]
        if member.user_id is None and user.pk not in linked_users:
            member.user_id = user.pk
            to_link.append(member)
    Staff.objects.bulk_update(to_link, ["user"])

    names = {spec.code: spec.name for spec in specs}
    ctx.logins += [
        DemoLogin(label, username, passwords.get(username, ""), names[unit_code])
        for username, label, _role, unit_code, _pick in DEMO_USERS
    ]
    ctx.stdout.write(
        _("Demo logins: %(created)d created, %(existing)d already there.")
        % {"created": len(missing), "existing": len(usernames) - len(missing)}
    )
