"""Bare extension instances; bound to the app in create_app()."""
from flask.globals import _cv_app
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData

#: Stable constraint names so migrations are identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def app_context_id():
    """The session's scope: the current application context, as Flask-SQLAlchemy's own scope function has it, read
    from Flask's context variable rather than through the `app_ctx` proxy (every `db.session` use asks: about 30
    times a payment notification)."""
    ctx = _cv_app.get(None)
    if ctx is None:
        raise RuntimeError("Working outside of application context.")
    return id(ctx)


db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION), session_options={"scopefunc": app_context_id})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
compress = Compress()
limiter = Limiter(key_func=get_remote_address)
