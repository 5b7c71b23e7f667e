"""The distributor center's use cases that write: joining, applying and asking to withdraw. Each owns its
transaction; the pages' reads are center/queries.py's."""
from ..database import transaction
from ..distribution import services as distribution
from ..settings import get_setting
from ..wallet import withdrawals


def join(user_id):
    """"Everyone" mode: make the member a distributor (idempotent); owns its transaction. Returns the
    Distributor, or None when the merchant's mode is another (then joining is by applying or spending)."""
    if get_setting("distribution_mode") != "everyone":
        return None
    with transaction():
        return distribution.become_distributor(user_id, "everyone")


def apply(user, real_name, phone):
    """Apply for distribution rights (mode "apply"); owns its transaction: a refusal rolls back and re-raises."""
    with transaction():
        return distribution.apply(user, real_name, phone)


def request_withdrawal(user_id, amount_fen, method, payee):
    """Ask to withdraw; owns its transaction: the service's refusal rolls back and re-raises."""
    with transaction():
        return withdrawals.request_withdrawal(user_id, amount_fen, method, payee)
