"""Forms of the units app: filters (lists) and transfer (import files)."""

from units.forms.filters import StaffFilter

__all__ = ["StaffFilter"]
