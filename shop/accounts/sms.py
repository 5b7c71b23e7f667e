"""Pluggable SMS senders: `console` logs the code for development and tests."""
import logging

from flask import current_app

log = logging.getLogger("shop.sms")

#: Codes the console sender has sent, newest last (tests and the demo read them).
outbox = []


class ConsoleSender:
    def send(self, phone, text):
        outbox.append((phone, text))
        del outbox[:-100]
        log.warning("SMS to %s: %s", phone, text)


SENDERS = {"console": ConsoleSender}


def get_sender():
    """The sender named by SHOP_SMS_SENDER."""
    return SENDERS[current_app.config["SMS_SENDER"]]()
