"""The English catalog: every string in the code is translated, the committed .mo matches the .po,
and ?lang=en really renders English (placeholders included).

When test_every_string_in_the_code_is_translated fails, run scripts/update-translations.sh,
fill in the msgstr of the strings it names in translations/en/LC_MESSAGES/messages.po,
run the script again (it compiles the .mo) and commit the .po and the .mo together."""
import os
import re
from pathlib import Path

import flask_babel
import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO_PATH = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
MO_PATH = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.mo"
#: The keywords of `pybabel extract -k _l -k lazy_gettext` (babel's defaults plus the lazy ones).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def keep_directory(path):
    """Skip hidden directories (.venv, .git) and __pycache__ only. babel's default filter also skips
    every directory starting with "_", which would leave out templates/_macros/."""
    name = os.path.basename(path)
    return not name.startswith(".") and name != "__pycache__"


def extract_messages():
    """{(msgid, context): ["file:line", ...]} for every translatable string in the code right now,
    with the method map of babel.cfg (shop/**.py as python, templates/**.html as jinja2)."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, str(ROOT / "babel.cfg"))
    found = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS, directory_filter=keep_directory):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault((msgid, context), []).append(f"{filename}:{lineno}")
    return found


def load_po():
    with open(PO_PATH, "rb") as f:
        return read_po(f)


def translations(catalog):
    """{(msgid, context): msgstr} of the real entries (not the header)."""
    return {(m.id, m.context): m.string for m in catalog if m.id}


def is_translated(msgstr):
    if isinstance(msgstr, (tuple, list)):
        return bool(msgstr) and all(s.strip() for s in msgstr)
    return bool(msgstr and msgstr.strip())


def test_extraction_sees_the_whole_code():
    """Guards the extraction itself: python, jinja2 and lazy strings, templates/_macros included."""
    found = extract_messages()
    places = {place.split(":")[0] for places in found.values() for place in places}
    assert len(found) > 300
    assert any(p.startswith("shop/") for p in places)
    assert any(p.startswith("templates/_macros/") for p in places)
    assert ("待付款", None) in found       # _l() in shop/orders/status.py
    assert ("已售%(n)s", None) in found    # _() with a placeholder in a template


def test_every_string_in_the_code_is_translated():
    catalog = load_po()
    missing, untranslated = [], []
    for (msgid, context), places in sorted(extract_messages().items()):
        entry = catalog.get(msgid, context=context)
        where = f"{msgid!r} ({', '.join(places[:3])})"
        if entry is None:
            missing.append(where)
        elif not is_translated(entry.string) or entry.fuzzy:
            untranslated.append(where)
    assert not missing and not untranslated, (
        "Run scripts/update-translations.sh and translate these in translations/en/LC_MESSAGES/messages.po.\n"
        + (f"Not in the .po yet ({len(missing)}):\n  " + "\n  ".join(missing) + "\n" if missing else "")
        + (f"Without an English msgstr or fuzzy ({len(untranslated)}):\n  " + "\n  ".join(untranslated)
           if untranslated else ""))


def test_po_is_complete_and_placeholders_match():
    catalog = load_po()
    assert not catalog.fuzzy
    problems = []
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy or not is_translated(message.string):
            problems.append(f"{message.id!r}: fuzzy or empty")
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = sorted(PLACEHOLDER.findall(ids[0]))
        for string in strings:
            if sorted(PLACEHOLDER.findall(string)) != wanted:
                problems.append(f"{message.id!r} -> {string!r}: placeholders differ")
    problems += [f"{message.id!r}: {err}" for message, errors in catalog.check() for err in errors]
    assert not problems, "\n".join(problems)


def test_committed_mo_matches_the_po():
    assert MO_PATH.exists(), "run: .venv/bin/pybabel compile -d translations"
    with open(MO_PATH, "rb") as f:
        compiled = translations(read_mo(f))
    source = {key: value for key, value in translations(load_po()).items() if is_translated(value)}
    stale = sorted(k[0] for k in source.keys() | compiled.keys() if source.get(k) != compiled.get(k))
    assert not stale, ("messages.mo is out of date; run .venv/bin/pybabel compile -d translations. "
                       f"Differs for: {stale[:20]}")


def page(client, path):
    """GET path as text. The autouse `db` fixture keeps one app context open for the whole test and
    every test-client request reuses it, so Flask-Babel's per-context locale cache would stick to the
    first language a test rendered; refresh() clears it, as a fresh app context per request does."""
    flask_babel.refresh()
    return client.get(path).get_data(as_text=True)


@pytest.fixture
def sold_product(make_product, db):
    product = make_product("T-shirt", skus=((5900, 10, ["红", "M"]),))
    product.sales = 37
    db.session.commit()
    return product


def test_home_in_chinese_by_default(client, sold_product):
    html = page(client, "/")
    assert "首页" in html and "购物车" in html and "分类" in html
    assert "已售37" in html
    assert "Home" not in html and "37 sold" not in html


def test_home_in_english_with_lang_parameter(client, sold_product):
    html = page(client, "/?lang=en")
    for text in ("Home", "Categories", "Cart", "Me", "New arrivals", "37 sold"):
        assert text in html, text
    for text in ("首页", "购物车", "已售"):
        assert text not in html, text
    assert "%(" not in html


def test_language_switch_is_remembered(client, sold_product):
    resp = client.get("/lang/en?next=/")
    assert resp.status_code == 302
    html = page(client, "/")
    assert "Home" in html and "37 sold" in html
    client.get("/lang/zh")
    html = page(client, "/")
    assert "首页" in html and "已售37" in html and "Home" not in html


def test_product_page_placeholders_in_english(client, sold_product):
    html = page(client, f"/p/{sold_product.id}?lang=en")
    assert "37 sold" in html and "10 in stock" in html
    assert 'data-label="%s in stock"' in html   # shop.js replaces %s with the chosen SKU's stock
    assert "Add to cart" in html and "Buy now" in html
    assert "%(" not in html
