"""Text helpers shared by the apps: Vietnamese search without diacritics."""

import unicodedata


def fold(text: str) -> str:
    """Lower-case text without Vietnamese diacritics: "Hải quan Đà Nẵng" -> "hai quan da nang"."""
    decomposed = unicodedata.normalize("NFD", text or "")
    stripped = "".join(char for char in decomposed if unicodedata.category(char) != "Mn")
    return " ".join(stripped.replace("đ", "d").replace("Đ", "D").lower().split())
