"""The one transaction idiom: every use case that writes runs inside `with transaction():`."""
from contextlib import contextmanager

from .extensions import db

_DEPTH = "shop.transaction_depth"


@contextmanager
def transaction():
    """Commit what the block wrote, or roll all of it back on any exception.

    Nested inside another transaction() the block joins the outer one: only the outermost commits, so a
    service that owns its transaction can also be called as one step of a larger use case.
    """
    session = db.session()
    depth = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = depth + 1
    try:
        yield session
        if depth == 0:
            session.commit()
    except BaseException:
        if depth == 0:
            session.rollback()
        raise
    finally:
        session.info[_DEPTH] = depth
