"""The one exception services raise for a refusal a user should read."""


class ServiceError(Exception):
    """A refused use case; `message` is shown to the user as it is (already translated)."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message = message
        self.status = status


class NotFound(ServiceError):
    def __init__(self, message=None):
        from flask_babel import gettext as _

        super().__init__(message or _("记录不存在"), status=404)


def found(row, message=None):
    """The row a page asked for, or a 404 with message (default 记录不存在) when there is none."""
    if row is None:
        raise NotFound(message)
    return row
