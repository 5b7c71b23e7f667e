"""The distribution mall: storefront, distributor center and merchant admin in one Flask app."""
import os
from types import FunctionType, MethodType

from flask import Flask, has_request_context, render_template, request, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError, generate_csrf
from sqlalchemy.exc import DataError

from .config import check_production, load_config
from .extensions import babel, compress, csrf, db, limiter, login_manager, migrate

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Shop(Flask):
    """Flask, deciding once per view or hook function whether it is `async def` (Flask's `ensure_sync` inspects the
    function again at every call: a dozen calls a request, about 4% of a cached member page's CPU)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._sync, self._async = {}, {}

    def ensure_sync(self, func):
        target = func.__func__ if type(func) is MethodType else func
        if type(target) is not FunctionType:  # a partial or a callable object: asked every time
            return super().ensure_sync(func)
        if target is func:
            found = self._sync.get(func)
            if found is None:
                found = self._sync[func] = super().ensure_sync(func)
            return found
        # A bound method (an extension's hook) is made anew at each attribute access, so it is not kept; whether
        # its function is `async def` is.
        is_async = self._async.get(target)
        if is_async is None:
            is_async = self._async[target] = super().ensure_sync(func) is not func
        return self.async_to_sync(func) if is_async else func


def create_app(overrides=None):
    """Build the app; overrides (a dict) win over SHOP_* environment settings."""
    app = Shop(__name__, instance_path=os.environ.get("SHOP_INSTANCE_PATH") or os.path.join(ROOT, "instance"),
                template_folder=os.path.join(ROOT, "templates"), static_folder=os.path.join(ROOT, "static"))
    app.config.update(load_config(overrides))
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "shop.db")
    check_production(app.config)
    register_operations(app)
    register_extensions(app)
    load_marketing()
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_security(app)
    register_caching(app)
    register_commands(app)
    register_served_by(app)
    register_proxies(app)
    return app


def select_locale():
    if not has_request_context():
        return "zh"
    return pick_locale(request.args.get("lang") or session.get("lang"))


def pick_locale(lang):
    """The page's language for a `lang` asked for (the query's, else the session's): zh unless it is en."""
    return lang if lang in ("zh", "en") else "zh"


def register_operations(app):
    from . import ops

    ops.init_app(app)


def register_extensions(app):
    from . import models  # noqa: F401  (every model registered before migrate looks)
    from .database import init_autocommit_engine
    from .ops.outage import end_sessions_quietly
    from .sql import configure_engine_events

    db.init_app(app)
    end_sessions_quietly(app)
    migrate.init_app(app, db, directory=os.path.join(ROOT, "migrations"), render_as_batch=True,
                     compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    from .csrf_token import init_app as init_csrf_token
    init_csrf_token(app)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=os.path.join(ROOT, "translations"))
    limiter.init_app(app)  # its storage: ops/hosts.py share_rate_limits
    compress.init_app(app)
    with app.app_context():
        configure_engine_events(db.engine)
    init_autocommit_engine(app)


def load_marketing():
    from .marketing import load
    load()


def register_blueprints(app):
    from .accounts.views import bp as accounts_bp
    from .accounts.wechat_auth import bp as wechat_auth_bp
    from .admin import bp as admin_bp
    from .agents.views import bp as agent_center_bp
    from .assist.views import bp as assist_bp
    from .cart.views import bp as cart_bp
    from .catalog.views import bp as catalog_bp
    from .center.views import bp as center_bp
    from .converters import register as register_converters
    from .coupons.views import bp as coupons_bp
    from .distribution.views import bp as distribution_bp
    from .flash.views import bp as flash_bp
    from .groupbuy.views import bp as groupbuy_bp
    from .growth.web import bp as growth_bp
    from .main.views import bp as main_bp
    from .orders.views import bp as orders_bp
    from .payments.views import bp as payments_bp
    from .points.views import bp as points_bp
    from .pool.views import bp as pool_center_bp
    from .stores.views import bp as stores_bp

    register_converters(app)  # before any rule is added
    for bp in (main_bp, accounts_bp, wechat_auth_bp, catalog_bp, cart_bp, orders_bp, payments_bp, distribution_bp, center_bp,
               admin_bp, growth_bp, points_bp, coupons_bp, assist_bp, groupbuy_bp, flash_bp, stores_bp,
               pool_center_bp, agent_center_bp):
        app.register_blueprint(bp)


HTTP_ERROR_MESSAGES = {
    400: _l("请求无效"), 403: _l("没有权限访问"), 404: _l("页面不存在"), 405: _l("请求方式不允许"),
    413: _l("上传的文件太大"),
}


def register_errorhandlers(app):
    from .errors import ServiceError

    def render_error(status, message):
        db.session.rollback()
        if request.path.startswith(("/healthz", "/api/")):
            return {"error": message}, status
        return render_template("errors/message.html", status=status, message=message), status

    @app.errorhandler(ServiceError)
    def service_error(err):
        return render_error(err.status, err.message)

    @app.errorhandler(CSRFError)
    def csrf_error(err):
        generate_csrf()  # a visitor who had no session yet (caching/pages.py visitor_token) gets one for the retry
        return render_error(400, _("页面已过期，请刷新后重试"))

    @app.errorhandler(OverflowError)
    @app.errorhandler(DataError)
    def unstorable_input(err):
        """A value the database cannot hold (an id past 64 bits, a NUL byte in text): the request's fault, and
        the use case's transaction has rolled back."""
        app.logger.warning("refused a value the database cannot hold: %s", str(err).splitlines()[0])
        return render_error(400, str(HTTP_ERROR_MESSAGES[400]))

    @app.errorhandler(429)
    def too_many(err):
        return render_error(429, _("操作太频繁，请稍后再试"))

    for code, text in HTTP_ERROR_MESSAGES.items():
        app.register_error_handler(code, lambda err, code=code, text=text: render_error(code, str(text)))

    @app.errorhandler(500)
    def server_error(err):
        return render_error(500, _("服务器开小差了，请稍后再试"))


def register_template_helpers(app):
    from .templating import register

    register(app)


def register_security(app):
    from .security.cookie_session import CookieSessions
    from .security.headers import register

    app.session_interface = CookieSessions()
    register(app)


def register_served_by(app):
    from .served_by import register

    register(app)


def register_caching(app):
    from .caching import init_app

    init_app(app)


def register_proxies(app):
    """Last, so ProxyFix wraps everything else (the page cache's front door too): all of it sees the shopper's
    address."""
    from .ops.hosts import trust_proxies

    trust_proxies(app)


def register_commands(app):
    from .commands import shop_cli

    app.cli.add_command(shop_cli)
