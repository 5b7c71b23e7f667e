"""What the center shows of other people: masked names and payee accounts (phones: accounts.models.mask_phone)."""
from ..accounts.models import mask_phone


def mask_name(user):
    """'张**' from a nickname (always two stars: the length is hidden too), or the masked phone."""
    name = (user.nickname or "").strip()
    return name[0] + "**" if name else mask_phone(user.phone)


def mask_account(text):
    """Show only the last four characters of a payee account."""
    text = str(text or "")
    return ("*" * 4 + text[-4:]) if len(text) > 4 else text


def mask_real_name(text):
    """'张**' from a payee's real name (the length hidden too); '' when there is none."""
    text = str(text or "").strip()
    return text[0] + "**" if text else ""
