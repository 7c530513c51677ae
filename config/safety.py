"""Production start checks that need more than a presence test: the signing key and the hosts.

Imported by config/settings.py before Django is set up, so nothing here imports Django. Each
function answers None when the value is acceptable, or the reason it is not (an English
sentence: settings errors are read by whoever deploys, in the log).
"""

import itertools

MIN_SECRET_KEY_LENGTH = 50
MIN_DISTINCT_CHARACTERS = 20

# Pieces of the values people paste from examples and tutorials instead of generating a key.
PLACEHOLDERS = (
    "django-insecure",
    "dev-only",
    "insecure",
    "changeme",
    "change-me",
    "change_me",
    "replace-me",
    "replace_me",
    "your-secret",
    "your_secret",
    "secret-key",
    "secret_key",
    "secretkey",
    "placeholder",
    "example",
)


def _shortest_period(text: str) -> int:
    """The length of the shortest piece the text repeats (its own length when it repeats none)."""
    for period in range(1, len(text) // 2 + 1):
        if all(text[index] == text[index - period] for index in range(period, len(text))):
            return period
    return len(text)


def _steps_of_one(text: str) -> int:
    """How many neighbouring characters follow each other in order ("ab", "12", "ba")."""
    return sum(1 for left, right in itertools.pairwise(text) if abs(ord(right) - ord(left)) == 1)


def secret_key_problem(key: str) -> str | None:
    """Why this SECRET_KEY is unsafe for production, or None.

    A key signs sessions, password-reset links and the known-device cookies of the login
    throttle: whoever guesses it can sign in as anyone. Django's own deployment check only asks
    for 50 characters of which 5 differ, which "abcde" * 10 meets. We also require 20 different
    characters, no short repeated piece, no alphabet run and none of the usual placeholders.
    """
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"it has {len(key)} characters; at least {MIN_SECRET_KEY_LENGTH} are needed"
    lowered = key.lower()
    for placeholder in PLACEHOLDERS:
        if placeholder in lowered:
            return f"it contains the placeholder {placeholder!r}"
    distinct = len(set(key))
    if distinct < MIN_DISTINCT_CHARACTERS:
        return f"it uses only {distinct} different characters; at least {MIN_DISTINCT_CHARACTERS} are needed"
    period = _shortest_period(key)
    if period < len(key):
        return f"it repeats a piece of {period} characters"
    if _steps_of_one(key) * 2 > len(key):
        return "it is mostly runs of consecutive characters (like abcdef or 123456)"
    return None


def allowed_hosts_problem(hosts: list[str]) -> str | None:
    """Why these ALLOWED_HOSTS are unsafe for production, or None.

    "*" answers any Host header: password-reset and reminder links, and any page cached by a
    proxy, could then carry an attacker's host name. A leading dot (".example.vn", a domain and
    its subdomains) is Django's own and stays allowed.
    """
    if not hosts:
        return "it is empty"
    wildcards = [host for host in hosts if "*" in host]
    if wildcards:
        return f"it holds the wildcard {wildcards[0]!r}; name each host the site answers to"
    return None
