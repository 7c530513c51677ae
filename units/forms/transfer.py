"""Forms of the import pages: the file upload (checked by content, not by name) and the confirmation."""

import codecs

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.uploads import clean_display_name
from units import importing

# An .xlsx file is a zip archive; an old .xls (Excel 97-2003) is an OLE compound document.
XLSX_SIGNATURE = b"PK\x03\x04"
XLS_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
MEGABYTE = 1024 * 1024


class ImportFileForm(forms.Form):
    """Upload an .xlsx or CSV file; `cleaned_data["table"]` holds its rows when it can be read.

    The kind of file is decided by its first bytes: a zip archive is read as a workbook and
    anything else must be UTF-8 text (with or without a byte-order mark), read as CSV.
    """

    file = forms.FileField(
        label=gettext_lazy("File (.xlsx or .csv)"),
        help_text=gettext_lazy("An Excel workbook, or a CSV file saved as “CSV UTF-8”."),
        widget=forms.FileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = True
        self.helper.form_method = "post"
        self.helper.attrs = {"data-testid": "import-upload-form"}
        self.helper.add_input(Submit("check", _("Check the file")))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit_mb = settings.UPLOAD_MAX_MB
        if upload.size > limit_mb * MEGABYTE:
            raise ValidationError(
                _(
                    "The file is %(size)s MB, more than the limit of %(limit)s MB. Split it into smaller files."
                ),
                code="too_large",
                params={"size": f"{upload.size / MEGABYTE:.1f}", "limit": limit_mb},
            )
        return upload

    def clean(self):
        cleaned_data = super().clean()
        upload = cleaned_data.get("file")
        if upload is None:
            return cleaned_data
        upload.seek(0)
        content = upload.read()
        try:
            cleaned_data["table"] = self.read_table(content, name=clean_display_name(upload.name or ""))
        except ValidationError as exc:
            self.add_error("file", exc)
        except importing.ImportFileError as exc:
            self.add_error("file", ValidationError(str(exc), code="unreadable"))
        return cleaned_data

    @staticmethod
    def read_table(content: bytes, *, name: str) -> importing.Table:
        """The rows of the file; `name` is the display name the messages use."""
        if content.startswith(XLSX_SIGNATURE):
            return importing.read_xlsx(content, name=name)
        if content.startswith(XLS_SIGNATURE):
            raise ValidationError(
                _(
                    "This is an old Excel 97-2003 file (.xls). Open it in Excel and save it as "
                    "“Excel Workbook (.xlsx)”, then upload it again."
                ),
                code="old_excel",
            )
        if name.lower().endswith(EXCEL_SUFFIXES):
            raise ValidationError(
                _(
                    "The file name ends in .xlsx but the file is not an Excel workbook (perhaps a renamed "
                    "text file). Open it in Excel and save it as “Excel Workbook (.xlsx)”."
                ),
                code="not_excel",
            )
        return importing.read_csv(decode_csv(content))


def decode_csv(content: bytes) -> str:
    """UTF-8 text, with or without a byte-order mark; anything else is refused with advice."""
    if content.startswith(codecs.BOM_UTF8):
        content = content[len(codecs.BOM_UTF8) :]
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text:
        raise ValidationError(
            _(
                "The file is neither an Excel workbook (.xlsx) nor a CSV file in UTF-8 (it may use an old "
                "Vietnamese encoding such as TCVN3 or Windows-1258). In Excel choose “Save As” and pick "
                "“Excel Workbook (.xlsx)” or “CSV UTF-8 (Comma delimited)”."
            ),
            code="encoding",
        )
    return text


class ImportConfirmForm(forms.Form):
    """Confirm a checked file; the token names the rows kept on the server, never the rows themselves."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = True
        self.helper.form_method = "post"
        self.helper.attrs = {"data-testid": "import-confirm-form"}
        self.helper.add_input(Submit("confirm", _("Confirm import")))
