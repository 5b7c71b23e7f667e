"""What a URL or a form may carry: where a `next=` may send the browser (the one check against open redirects, for
every view that takes one), and row ids typed into a query string or a hidden field."""
from urllib.parse import unquote, urlsplit

from flask import request, url_for

from .converters import MAX_ID, whole_number  # noqa: F401  (MAX_ID: the largest id, for callers of to_id)

#: Percent-decoding rounds looked through: `%252F%252F` is `//` after two, and nobody nests deeper honestly.
DECODE_ROUNDS = 4


def safe_next_url(target, default, prefix="/"):
    """`target` when it is a path on this site under `prefix`, else `default`. Refused: anything not starting with
    exactly "/" (a scheme, whitespace, a host), "//" and "/\\" (scheme-relative), and a backslash or a control
    character (tab, CR, LF...) anywhere, also once percent-decoded, however many times it was encoded, since
    browsers drop tabs and newlines and read "\\" as "/"."""
    if not isinstance(target, str) or not _under(target, prefix):
        return default
    seen = target
    for _round in range(DECODE_ROUNDS):
        if not _plain_path(seen):
            return default
        seen, before = unquote(seen), seen
        if seen == before:
            return target
    return default


def safe_next(default_endpoint, prefix="/"):
    """The request's `next` (query string or form) when it is safe, else the URL of `default_endpoint`."""
    return safe_next_url(request.values.get("next"), url_for(default_endpoint), prefix)


def to_id(value):
    """A row id from user input: the int, or None for anything but plain digits (ASCII) within an SQL integer."""
    return whole_number(value)


def _under(target, prefix):
    return prefix == "/" or target == prefix or target.startswith((prefix + "/", prefix + "?"))


def _plain_path(target):
    parts = urlsplit(target)
    return (target.startswith("/") and not target.startswith(("//", "/\\")) and not parts.scheme
            and not parts.netloc and "\\" not in target and not any(ord(c) < 32 or ord(c) == 127 for c in target))
