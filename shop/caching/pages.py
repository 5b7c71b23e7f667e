"""Whole storefront pages cached for anonymous shoppers (home, product, category, search).

A GET is served from the cache, or rendered and stored, only when nothing in it belongs to one shopper: nobody is
signed in (no user id in the session, no remember-me cookie), the session holds nothing but a CSRF token, the
language and a remembered referral (no guest cart, no flashed message), and there is no `?ref=` (following a
share link writes the session and counts a visit). The key holds the catalog generation, the next time boundary
(boundaries.py), the language and the full path with its query string.

What a cached page embeds that is per request is punched out when it is stored and filled when it is served: the
CSRF token (the shopper's own; left empty for a visitor who has no session yet, `visitor_token`), and the
countdowns' seconds (`data-remaining`, counted from the render), which lose the page's age.

Signed-in members share pages of their own (`member` in the key, header X-Member-Page-Cache): home, category and
search, which show nothing of the member but the cart badge (a hole, `cart_badge()`, filled with the count loaded
with the member) and the CSRF token; only while their session holds nothing else (no flashed message) and the home
page has no panel provider that is not shared. The product page is shared by members but for their own parts (their
panels and share link, `member_parts`), which are cached per member under a fingerprint read with the session check
(`parts_key`), or rendered on every request when the page names none."""
import functools
import re
import time

from flask import current_app, g, request, session
from flask_login import current_user
from markupsafe import Markup

from .. import select_locale
from ..accounts.sessions import remember_cookie, still_signed_in
from ..csrf_token import signed_token
from ..extensions import db, login_manager
from ..marketing.slots import has_personal_panels
from ..ops import logs
from ..templating import badge_html
from . import boundaries, generation
from .store import Store, get_store

ENDPOINTS = frozenset({"main.home", "catalog.product", "catalog.categories", "catalog.search"})
#: Session keys an anonymous page may carry and still be shared: none of them changes what the page shows.
SHARED_SESSION_KEYS = frozenset({"csrf_token", "lang", "ref", "_permanent", "_fresh"})
#: Pages shared by signed-in members, with the page slot whose panels they show (None: no slot).
MEMBER_ENDPOINTS = {"main.home": "home", "catalog.categories": None, "catalog.search": None}
#: ... and what Flask-Login adds to their session.
MEMBER_SESSION_KEYS = SHARED_SESSION_KEYS | {"_user_id", "_id", "_remember", "_remember_seconds"}
CSRF_HOLE = b"\x00csrf\x00"
#: A member's own part of a page shared by every member, marked while it renders (`member_part`), and its hole.
PART = re.compile(rb"\x00part:(\w+)\x00(.*?)\x00/part\x00", re.S)
PART_HOLE = re.compile(rb"\x00part:(\w+)\x00")
#: Pages shared by members but for parts of their own: endpoint -> (what renders those parts, what tells when they
#: change or None) (`member_parts`).
PART_RENDERERS = {}
CART_HOLE = re.compile(rb"\x00cart:(\d*)\x00")
#: A countdown's seconds, and the time it shows when it is the flash macro's (templates/flash/_macros.html).
COUNTDOWN = re.compile(rb'data-remaining="(\d+)"(?:([^<]*>(?:<span class="flash-cd-label">[^<]*</span>)?\s*'
                       rb'<b class="flash-cd-time">)[0-9:]+(</b>))?')


def init_app(app):
    """The store, and the hooks: serve before the view runs, store after it rendered (before compression)."""
    app.extensions["shop_cache_store"] = Store(app, ttl=app.config["PAGE_CACHE_SECONDS"] or 1)
    app.extensions["shop_parts_store"] = Store(app, ttl=app.config["PAGE_CACHE_SECONDS"] or 1, maxsize=8192)
    if app.config["PAGE_CACHE_SECONDS"] > 0:
        # First, but after the request id is taken (ops/logs.py start): a page served from here is logged with it.
        hooks = app.before_request_funcs.setdefault(None, [])
        hooks.insert(hooks.index(logs.start) + 1 if logs.start in hooks else 0, serve_cached)
        app.after_request(store_rendered)
        from .front import FrontDoor

        app.wsgi_app = app.extensions["shop_front_door"] = FrontDoor(app, app.wsgi_app)


def member_parts(endpoint, fingerprint=None):
    """Register the decorated function as what renders a member's own parts of `endpoint`'s page (called with the
    view's arguments; each part after its `member_hole(name)`): the rest of the page is shared by every member.

    `fingerprint`: a function returning SQL columns correlated to User (scalar subqueries, which may use the bound
    parameter `now`), or None, whose values change whenever the parts could show the member something else beyond
    the catalog generation and the time boundaries (marketing/slots.py `provides`). With it the member's parts are
    cached, keyed by those values read in the session check's own statement; without it they render every time."""
    def register(fn):
        PART_RENDERERS[endpoint] = (fn, fingerprint)
        return fn
    return register


@functools.cache
def parts_fingerprint(endpoint):
    """The endpoint's fingerprint as a tuple of one text column, built once (the session check keeps its statement
    per tuple), or None."""
    from ..marketing.slots import joined

    fingerprint = PART_RENDERERS[endpoint][1]
    columns = fingerprint() if fingerprint else None
    return (joined(*columns).label("parts"),) if columns is not None else None


def member_part(name, caller):
    """`{% call member_part(name) %}`: a member's own part of a page; marked while the page renders for the
    members' cache, which keeps a hole in its place."""
    html = caller()
    return Markup(f"\x00part:{name}\x00{html}\x00/part\x00") if g.get("member_page") else html


def member_hole(name):
    return Markup(f"\x00part:{name}\x00")


def shareable():
    """True when this request's page is the same for every anonymous shopper."""
    return (request.method == "GET" and request.endpoint in ENDPOINTS and "ref" not in request.args
            and remember_cookie(current_app.config) not in request.cookies
            and SHARED_SESSION_KEYS.issuperset(session.keys()))


def member_shareable():
    """True when this request's page is the same for every signed-in member but the holes (if they are still
    signed in: `signed_in_member`)."""
    slot = MEMBER_ENDPOINTS.get(request.endpoint, request.endpoint in PART_RENDERERS and None)
    return (slot is not False and request.method == "GET" and "ref" not in request.args and "_user_id" in session
            and MEMBER_SESSION_KEYS.issuperset(session.keys()) and not (slot and has_personal_panels(slot)))


def signed_in_member(hit):
    """(member id, pieces in their cart, the parts' fingerprint or ()), or None when the session no longer opens the
    account. For a page served from the cache, the session's version is checked by one Core statement
    (accounts/sessions.py `still_signed_in`) that builds no row, and reads the parts' fingerprint if the page has
    one; revocation holds on every host as it does for the loader."""
    fingerprint = parts_fingerprint(request.endpoint) if request.endpoint in PART_RENDERERS else ()
    if not hit or fingerprint is None or session.get("_id") != login_manager._session_identifier_generator():
        # The view renders, the member's own parts read their row every time, or Flask-Login's session protection
        # has something to do (mark the session not fresh, or end it): its loader.
        from ..cart.services import cart_count

        if not db.session().in_transaction():  # (the time boundary may have been read in one just now)
            # These pages only read: no transaction around their statements saves the BEGIN and ROLLBACK round trips.
            db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        return (current_user.id, cart_count(current_user), None) if current_user.is_authenticated else None
    return still_signed_in(session["_user_id"], fingerprint)


def shared_stamp():
    """What every cached page and fragment key holds: catalog generation, next time boundary, language; None when
    the generation cannot be read (Redis down): then nothing is cached."""
    gen = generation.current()
    if gen is None:
        return None
    return stamp_of(gen, boundaries.next_boundary(current_app._get_current_object(), gen), select_locale())


def stamp_of(gen, moment, locale):
    return f"{gen}:{moment.strftime('%Y%m%d%H%M%S') if moment else '-'}:{locale}"


def page_key(who=""):
    stamp = shared_stamp()
    return key_of(stamp, who, request.full_path) if stamp else None


def key_of(stamp, who, full_path):
    return f"page:{stamp}:{who}:{full_path}"


def serve_cached():
    """Before the view: the cached page, with this request's holes filled, or None (the view renders)."""
    anonymous = shareable()
    if not (anonymous or member_shareable()):
        return None
    key = page_key("" if anonymous else "member")
    if key is None:
        return None
    cached = get_store().get(key)
    member = None if anonymous else signed_in_member(hit=cached is not None)
    if not (anonymous or member):
        return None
    if cached is None:
        g.page_cache_key, g.member_page = key, member
        return None
    g.signed_in_id = member and member[0]  # the access log's user id (ops/logs.py) when no row was loaded
    age, body = opened(cached)
    return fill(body, age, member, key), 200, {"Content-Type": "text/html; charset=utf-8", cache_header(member): "hit"}


def opened(cached):
    """(seconds since it was stored, the page) of a cached page."""
    stamp, body = cached.split(b"\n", 1)
    return time.time() - float(stamp), body


def cache_header(member):
    return "X-Member-Page-Cache" if member else "X-Page-Cache"


def fill(body, age, member=None, key=None, token=None):
    """The page with this request's holes filled; `token`: the CSRF token's bytes when already known."""
    if member and b"\x00part:" in body:
        body = fill_parts(body, parts_key(member, key))
    if CSRF_HOLE in body:
        body = body.replace(CSRF_HOLE, visitor_token(member) if token is None else token)
    return age_countdowns(fill_cart(body, member[1]) if member else body, age)


def visitor_token(member):
    """The CSRF token for the page's forms. An anonymous visitor without a session yet (a first visit from a share
    link) gets none: viewing a page mints no session and sets no cookie; the first submit fetches a token
    (`/csrf-token`, static/js/shop.js), and without JavaScript the refused post starts the session (create_app
    `csrf_error`), so the next page carries one."""
    if member or current_app.config["WTF_CSRF_FIELD_NAME"] in session:
        return signed_token().encode()
    return b""


def fill_cart(body, count):
    """The member's cart badge in the holes `cart_badge()` left (its count comes with the member's session check)."""
    if b"\x00cart:" not in body:
        return body
    return CART_HOLE.sub(lambda m: badge_html(count, int(m.group(1) or 0)).encode(), body)


def parts_key(member, page_key):
    """Where the member's parts of this page are kept: the page's key (catalog generation, time boundary, language,
    path) with the member, their fingerprint's values and the host (a share link is an external URL); None when the
    parts cannot be told (no fingerprint)."""
    if member[2] is None or page_key is None:
        return None
    return f"parts:{member[0]}:{'|'.join(map(str, member[2]))}:{request.host}:{page_key}"


def fill_parts(body, key=None):
    """The member's own parts, from the parts cache or rendered now by the page's part renderer (and kept, with the
    CSRF token punched out), in the holes their page left."""
    html = get_store(kind="parts").get(key) if key else None
    if html is None:
        html = PART_RENDERERS[request.endpoint][0](**request.view_args).encode()
        token = g.get("csrf_token")
        html = html.replace(token.encode(), CSRF_HOLE) if token else html
        if key:
            get_store(kind="parts").set(key, html)
    pieces = PART_HOLE.split(html)
    parts = dict(zip(pieces[1::2], pieces[2::2]))
    return PART_HOLE.sub(lambda m: parts.get(m.group(1), b""), body)


def age_countdowns(html, age):
    """Countdowns (`data-remaining` seconds, measured at the render) less the age of the cached HTML, and the time
    they show (HH:MM:SS) with them, as a page without JavaScript reads it."""
    if age >= 1 and b"data-remaining" in html:
        html = COUNTDOWN.sub(lambda m: aged(m, max(int(m.group(1)) - int(age), 0)), html)
    return html


def aged(match, left):
    out = b'data-remaining="%d"' % left
    if match.group(2) is None:
        return out
    return out + match.group(2) + b"%02d:%02d:%02d" % (left // 3600, left % 3600 // 60, left % 60) + match.group(3)


def store_rendered(response):
    """After the view: keep a page rendered for a shareable request, when it is still shareable; a member's page
    gets its cart badge."""
    key, member = g.pop("page_cache_key", None), g.pop("member_page", None)
    if key is None or response.mimetype != "text/html" or response.direct_passthrough:
        return response
    body = response.get_data()
    if response.status_code == 200 and (MEMBER_SESSION_KEYS if member else SHARED_SESSION_KEYS).issuperset(session):
        # (else the view flashed, filled a cart or signed in: this page is someone's)
        token, shared = g.get("csrf_token"), PART.sub(lambda m: b"\x00part:%s\x00" % m.group(1), body) if member else body
        get_store().set(key, b"%.3f\n" % time.time() + (shared.replace(token.encode(), CSRF_HOLE) if token else shared))
        response.headers[cache_header(member)] = "miss"
    if member:
        response.set_data(fill_cart(PART.sub(rb"\2", body), member[1]))
    return response


def reset(app):
    """Forget the in-process pages, time boundary and rule versions (tests empty the tables behind the session's
    back)."""
    from ..distribution.rules import forget_versions

    get_store(app).clear()
    get_store(app, kind="parts").clear()
    boundaries.forget(app)
    forget_versions(app)
