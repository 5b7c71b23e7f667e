"""Running the mall on several hosts: the proxy in front, shared rate limits, structured logs, /healthz and
/metrics, and clean answers while the database is away (docs/architecture.md, "Several hosts")."""


def init_app(app):
    """Wire it all; called by create_app before the extensions, so the request id is the first thing set. The
    proxy in front (`hosts.trust_proxies`) is wired last of all, by create_app."""
    from . import hosts, logs, metrics, outage
    from .views import bp

    hosts.share_rate_limits(app.config)
    logs.init_app(app)
    metrics.init_app(app)
    outage.init_app(app)
    app.register_blueprint(bp)
