"""Account events: `signed_in` is sent inside the sign-in's transaction (accounts/signin.py start_session) with
user, is_new_member, referral and seen; a receiver's writes commit or roll back with the sign-in."""
from blinker import Namespace

_events = Namespace()
signed_in = _events.signal("signed-in")
