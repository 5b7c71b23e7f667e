"""Admin alert forms: the list's filters and the note of a handled alert."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from ...payments.models import ALERT_KINDS
from ..fields import strip

#: The list's handled/unhandled filter; unhandled first, as the merchant works through them.
STATES = ("open", "handled", "all")


def list_filters(args):
    """{'kind': a known kind or None, 'state': one of STATES} from the query string."""
    kind, state = args.get("kind"), args.get("state")
    return {"kind": kind if kind in ALERT_KINDS else None, "state": state if state in STATES else "open"}


class HandleForm(FlaskForm):
    """What staff did about the alert; the service refuses a blank note."""
    note = StringField(_l("处理说明"), filters=[strip], validators=[Length(max=300, message=_l("说明最多300字"))])
