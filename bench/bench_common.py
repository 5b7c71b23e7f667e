"""What the bench scripts share: the mall's app on a schema of its own, that schema built by the migrations and
dropped afterwards, a free port, and a database URL whose connections use a schema (for gunicorn's environment)."""
import socket

from sqlalchemy import text
from sqlalchemy.engine import make_url


def bench_app(url, schema=None, engine=None, **config):
    """The mall's app on `url`, its connections in `schema` (search_path) when given. `engine`: more
    SQLALCHEMY_ENGINE_OPTIONS (a pool size, psycopg's connect_args); `config`: more settings (TESTING, ...)."""
    from shop import create_app

    options = dict(engine or {})
    if schema:
        options["connect_args"] = {"options": f"-csearch_path={schema}", **options.get("connect_args", {})}
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-secret", "RATELIMIT_ENABLED": False,
                       "WTF_CSRF_ENABLED": False, "SQLALCHEMY_ENGINE_OPTIONS": options, **config})


def create_schema(app, db, schema):
    """`schema` made anew (when given: none on SQLite) and built by the migrations; the pool emptied afterwards."""
    from flask_migrate import upgrade

    with app.app_context():
        if schema:
            with db.engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
                conn.execute(text(f"CREATE SCHEMA {schema}"))
        upgrade()
        db.engine.dispose()


def drop_schema(app, db, schema):
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
        with db.engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        db.engine.dispose()


def with_search_path(url, schema):
    """The URL with ?options=-csearch_path=<schema> (rendered %3D), as SHOP_DATABASE_URL for gunicorn."""
    return make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
