"""Cached fragments: the parts of a storefront page that are the same for every shopper (a category's shelf, the
search results, the home page's grids), kept under the same key parts as whole pages (catalog generation, next
time boundary, language, path), so signed-in pages and anonymous misses skip their queries and their rendering.

    {% call cached_fragment("home-grids") %} ... {% endcall %}

The view passes the fragment's data as `Lazy` values, loaded only when the fragment is rendered. A fragment must
hold nothing of one shopper (no cart, no CSRF token, no invite code)."""
import time

from flask import current_app, request
from markupsafe import Markup

from .pages import age_countdowns, shared_stamp
from .store import get_store


class Lazy:
    """A value computed on first use: `Lazy(fn, *args)`; iterating, truthiness and `.value` load it."""

    def __init__(self, fn, *args, **kwargs):
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.loaded, self.result = False, None

    @property
    def value(self):
        if not self.loaded:
            self.result, self.loaded = self.fn(*self.args, **self.kwargs), True
        return self.result

    def __iter__(self):
        return iter(self.value)

    def __bool__(self):
        return bool(self.value)

    def __len__(self):
        return len(self.value)


def fragment_key(name):
    stamp = shared_stamp() if current_app.config["PAGE_CACHE_SECONDS"] > 0 else None
    return f"frag:{stamp}:{name}:{request.full_path}" if stamp else None


def cached_fragment(name, caller):
    """The fragment's HTML from the cache, or rendered by the call block and kept."""
    key = fragment_key(name)
    cached = get_store().get(key) if key else None
    if cached is not None:
        stamp, html = cached.split(b"\n", 1)
        return Markup(age_countdowns(html, time.time() - float(stamp)).decode())
    html = caller()
    if key:
        get_store().set(key, b"%.3f\n" % time.time() + str(html).encode())
    return Markup(html)
