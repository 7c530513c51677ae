"""The eligibility list: who qualifies for which title in a year and why not for the next one up.

For the committee secretary and leaders (everyone), and for unit officers (their unit and the
units below it: those they prepare nominations for, so they see the verdicts before proposing);
others: 403. Each request judges the year for the
units filtered (the whole organisation without a unit filter) with awards.services.eligibility,
then the reasons of the rows shown (a page, or the export batch by batch). The result is not
cached, because edits of ratings, awards or reviews leave no cheap trace to key a cache on.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from awards.exports import eligibility_filename, eligibility_workbook, title_name
from awards.forms.eligibility import EligibilityFilterForm, EligibilityFilters
from awards.permissions import eligibility_home
from awards.queries import eligibility_years
from awards.services.eligibility import PERSON, EligibilityReport, SubjectEligibility, evaluate_year
from core.spreadsheets import XLSX_CONTENT_TYPE

ELIGIBILITY_PAGE_SIZE = 50


def _judged(
    request: HttpRequest,
) -> tuple[EligibilityFilterForm, EligibilityFilters, EligibilityReport, list]:
    home = eligibility_home(request.user)  # None: everyone; a unit officer: its subtree
    today = timezone.localdate()
    years = eligibility_years(today)
    default_year = today.year - 1 if today.year - 1 in years else years[0]
    form = EligibilityFilterForm(request.GET or None, years=years, default_year=default_year, home=home)
    chosen = form.filters()
    root = chosen.unit or home
    report = evaluate_year(chosen.year, unit_ids=[root.pk] if root else None)
    rows = report.rows(kind=chosen.kind, title=chosen.title, qualifies=chosen.qualifies)
    return form, chosen, report, rows


def _shown(row: SubjectEligibility) -> dict:
    """What the table shows of a row: the titles' names and the reasons of the next one up."""
    next_up = row.next_up
    return {
        "row": row,
        "is_person": row.kind == PERSON,
        "highest": title_name(row.highest_code),
        "next": title_name(row.next_code),
        "next_headline": next_up.headline if next_up else "",
        "reasons": [reason.text for reason in next_up.reasons] if next_up else [],
    }


def _summary(report: EligibilityReport, kind: str | None) -> list[dict]:
    groups: dict[str, dict] = {}
    for subject_kind, code, count in report.summary(kind=kind):
        group = groups.setdefault(subject_kind, {"kind": subject_kind, "tiles": []})
        group["tiles"].append({"code": code or "", "label": title_name(code), "count": count})
    return list(groups.values())


@require_GET
def eligibility_list(request: HttpRequest) -> HttpResponse:
    """Filters, a summary per highest title, and 50 subjects a page with the reasons."""
    form, chosen, report, rows = _judged(request)
    form.read_options()
    page = Paginator(rows, ELIGIBILITY_PAGE_SIZE).get_page(request.GET.get("page"))
    report.explain(page.object_list)  # the reasons of the rows shown, judged at once
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter_form": form,
        "filters": chosen,
        "report": report,
        "summary": _summary(report, chosen.kind),
        "page": page,
        "shown": [_shown(row) for row in page],
        "query_string": query.urlencode(),
    }
    return render(request, "awards/eligibility_list.html", context)


@require_GET
def eligibility_export(request: HttpRequest) -> HttpResponse:
    """The same list, every row, as an .xlsx file."""
    _form, _chosen, report, rows = _judged(request)
    return HttpResponse(
        eligibility_workbook(report, report.explained(rows)),
        content_type=XLSX_CONTENT_TYPE,
        headers={"Content-Disposition": content_disposition_header(True, eligibility_filename(report))},
    )
