"""What the fuzz tests send: every field name a form can carry (from the WTForms classes, the templates and the
views' `request.form` reads), and hostile values for them."""
import glob
import importlib
import pkgutil
import re

from flask_wtf import FlaskForm
from hypothesis import strategies as st

import shop

#: Strings that have broken parsers before: numbers at and past every limit, odd numerals, dates, markup.
NASTY = ["", " ", "0", "-0", "-1", "1.005", "0.001", "1e309", "NaN", "Infinity", "-Infinity", "９９", "٣",
         "99999999999999999999999999", "-9223372036854775809", "9223372036854775808", "2147483648", "0x10",
         "1,000", "¥1", "2026-02-30", "2026-13-01T25:61", "9999-12-31", "0000-00-00", "<script>x</script>",
         "' OR 1=1 --", "%s%n", "../../etc/passwd", "\x00", "a\x00b", "\r\nSet-Cookie: x=1", "\u202e", "𝕏" * 3,
         "on", "true", "pay", "confirm", "all", "[]", "{}", "null", "²", "𝟗", "٣", "9" * 5000, "1,2,²"]

text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
control = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=31), min_size=1, max_size=8)
huge = st.builds(lambda c, n: c * n, st.sampled_from(["9", "a", "中", "\x01", "-"]), st.integers(300, 70_000))
numbers = st.integers(-(10**30), 10**30).map(str)
decimals = st.decimals(allow_nan=True, allow_infinity=True, places=4).map(str)
value = st.one_of(st.sampled_from(NASTY), text, control, huge, numbers, decimals)
values = st.one_of(value, st.lists(value, min_size=2, max_size=3))


def _form_classes():
    for module in pkgutil.walk_packages(shop.__path__, "shop."):
        if module.name.endswith("forms") or module.name.endswith("login"):
            importlib.import_module(module.name)
    pending, seen = [FlaskForm], []
    while pending:
        for sub in pending.pop().__subclasses__():
            seen.append(sub)
            pending.append(sub)
    return seen


def _wtforms_names():
    names = set()
    for form in _form_classes():
        names |= {name for name in dir(form) if hasattr(getattr(form, name, None), "field_class")}
    return names


def _source_names():
    names = set()
    for path in glob.glob("shop/**/*.py", recursive=True):
        names |= set(re.findall(r"""request\.(?:form|values)(?:\.get|\.getlist)?\(["'](\w+)""",
                                open(path, encoding="utf-8").read()))
    for path in glob.glob("templates/**/*.html", recursive=True):
        names |= set(re.findall(r'name="([\w.\[\]-]+)"', open(path, encoding="utf-8").read()))
    return names


def field_names():
    """Every field name a form of the app can carry, sorted (the CSRF token left out: it is switched off here)."""
    return sorted((_wtforms_names() | _source_names()) - {"csrf_token", "viewport"})


def page_fields(html):
    """The names of the fields of a page's POST forms."""
    forms = re.findall(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", html, re.S | re.I)
    return sorted({name for form in forms for name in re.findall(r'name="([^"]+)"', form)} - {"csrf_token"})
