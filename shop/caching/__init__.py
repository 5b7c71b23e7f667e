"""Storefront speed: the catalog generation, whole anonymous pages and fragments in a cache (Redis with
SHOP_REDIS_URL, else in-process), and fingerprinted static files."""


def init_app(app):
    """Wire the generation's session events, the page cache and the static fingerprints into the app."""
    from . import generation, pages, static
    from .fragments import cached_fragment

    app.add_template_global(cached_fragment)
    app.add_template_global(pages.member_part)
    app.add_template_global(pages.member_hole)
    generation.init_app(app)
    pages.init_app(app)
    static.init_app(app)
