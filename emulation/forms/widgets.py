"""Widgets rendered in Python: the same HTML as Django's widget templates, without a template each.

Django renders every widget, and every <option> of a select, through templates of its own (the
select, each option, each option's attributes). On the pledge form that was most of the page's
time (make bench: four staff selects of a unit's 90 people are 370 option templates). These
widgets build the same markup in Python, escaping every value and label as Django does.

A bound field with errors gets Bootstrap's `is-invalid` class (Django marks it `aria-invalid`),
as crispy-forms did.
"""

from __future__ import annotations

from html import escape as _escape

from django import forms
from django.utils.safestring import SafeString, mark_safe


def escape(value) -> str:
    """What django.utils.html.escape does (& < > " ' encoded), without its lazy-string wrapper:
    a form renders a few thousand values, and that wrapper was a fifth of the time."""
    return _escape(str(value))


def _attributes(widget: forms.Widget, attrs: dict | None, **extra) -> str:
    """name="value" pairs as django/forms/widgets/attrs.html writes them: True alone, False or None left out."""
    final = widget.build_attrs(widget.attrs, attrs)
    final.update(extra)
    classes = final.get("class", "")
    if final.get("aria-invalid") == "true" and "is-invalid" not in classes.split():
        final["class"] = f"{classes} is-invalid".strip()
    parts = []
    for name, value in final.items():
        if value is True:
            parts.append(f" {name}")
        elif value is not False and value is not None:
            parts.append(f' {name}="{escape(value)}"')
    return "".join(parts)


class PlainTextInput(forms.TextInput):
    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        value = self.format_value(value)
        shown = f' value="{escape(value)}"' if value is not None else ""
        return mark_safe(
            f'<input type="{self.input_type}" name="{escape(name)}"{shown}{_attributes(self, attrs)}>'
        )


class PlainHiddenInput(forms.HiddenInput):
    render = PlainTextInput.render


class PlainTextarea(forms.Textarea):
    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        value = self.format_value(value)
        # Django's template starts the content on a new line (a browser drops that first newline).
        return mark_safe(
            f'<textarea name="{escape(name)}"{_attributes(self, attrs)}>\n{escape(value) if value else ""}</textarea>'
        )


class PlainCheckboxInput(forms.CheckboxInput):
    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        checked = {"checked": True} if self.check_test(value) else {}
        return mark_safe(
            f'<input type="checkbox" name="{escape(name)}"{_attributes(self, attrs, **checked)}>'
        )


class PlainSelect(forms.Select):
    """A single-choice select (no option groups); the first option equal to the value is selected."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        wanted = self.format_value(value)  # a list of strings
        chosen = wanted[0] if wanted else ""
        selected = False
        options = []
        for option_value, label in self.choices:
            text = "" if option_value is None else str(option_value)
            mark = ""
            if not selected and text == chosen:
                mark, selected = " selected", True
            options.append(f'<option value="{escape(text)}"{mark}>{escape(label)}</option>')
        return mark_safe(
            f'<select name="{escape(name)}"{_attributes(self, attrs)}>{"".join(options)}</select>'
        )
