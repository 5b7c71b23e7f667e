"""The wallet ledger's own memos in the reader's language. The ledger keeps every memo as it was written (append-only:
never rewritten), and the mall writes its own in a fixed plain form ("order S2026… L1", "refund 12"), most of them
while a payment notification or a scheduled command runs, with no reader. Each form is one `Form` here, used both
to write the memo and to read it back as a sentence in the reader's language, so the two cannot drift apart.

A form is read back only on the entries the mall writes it on (its ref types): a staff member's reason for an
adjustment, a withdrawal's reference and a gateway's failure reason are free text and show as written, whatever
they look like; so does a memo that fits no form (an entry written before a form changed)."""
import re

from flask_babel import gettext

#: What each placeholder of a form matches when a memo is read back.
_FIELDS = {"order_no": r"\S+", "level": r"\d+", "region": r"[a-z]+", "refund_id": r"\d+", "flag_id": r"\d+",
           "period": r"\S+", "reason": r".*"}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_FORMS = []


def N_(msgid):
    """Mark a sentence for extraction (babel's `N_` keyword) without translating it now."""
    return msgid


class Form:
    """One kind of memo: `written` is how it is stored (str.format placeholders), `reads` the message id of its
    sentence (the same names as %(name)s), `ref_types` the entries it is written on."""

    def __init__(self, written, reads, ref_types):
        self.written, self.reads, self.ref_types = written, reads, frozenset(ref_types)
        pattern = _PLACEHOLDER.sub(lambda m: f"(?P<{m.group(1)}>{_FIELDS[m.group(1)]})",
                                   re.escape(written).replace(r"\{", "{").replace(r"\}", "}"))
        self.pattern = re.compile(pattern + r"\Z", re.DOTALL)
        _FORMS.append(self)

    def write(self, **values):
        return self.written.format(**values)

    def read(self, memo):
        """The sentence for `memo` in the reader's language, or None when the memo is not of this form."""
        found = self.pattern.match(memo)
        if found is None:
            return None
        values = found.groupdict()
        if "region" in values:
            from ..agents.models import AGENT_LEVELS

            values["region"] = str(AGENT_LEVELS[values["region"]])
        return gettext(self.reads, **values)


# (the ledger's ref types: commission, agents.models.DIVIDEND_REF, pool.models.REF_TYPE)
COMMISSION = Form("order {order_no} L{level}", N_("订单 %(order_no)s 的第 %(level)s 级佣金"), ["commission"])
REFUND = Form("refund {refund_id}", N_("售后退款 #%(refund_id)s"), ["commission", "agent_div"])
FRAUD_VOID = Form("fraud void (flag {flag_id}): {reason}", N_("风控作废（标记 #%(flag_id)s）：%(reason)s"),
                  ["commission"])
DIVIDEND = Form("order {order_no} {region}", N_("订单 %(order_no)s 的%(region)s分红"), ["agent_div"])
POOL = Form("pool {period}", N_("%(period)s 分红池"), ["pool_share"])
POOL_REFUND = Form("pool {period} refund {refund_id}", N_("%(period)s 分红池，售后退款 #%(refund_id)s"),
                   ["pool_share"])


def ledger_memo(entry):
    """A ledger entry's memo for the reader: the mall's own forms as a sentence in the reader's language, anything
    else as written."""
    memo = entry.memo or ""
    for form in _FORMS:
        if entry.ref_type in form.ref_types:
            sentence = form.read(memo)
            if sentence is not None:
                return sentence
    return memo
