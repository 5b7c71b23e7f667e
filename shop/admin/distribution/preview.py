"""The policy preview on the commission rules page (规则试算): the rules being edited, sent as a GET, replayed over
the paid orders of the last days without saving anything. Its own module so the rules page's view stays small."""
from flask import render_template, request

from ...distribution import preview as policy
from ...distribution import rules as commission_rules
from ...errors import ServiceError
from . import services
from .forms import CommissionRulesForm
from .views import bp

#: The periods the page offers; anything else is the default.
PREVIEW_DAYS = (7, 30, 90)


def preview_rules(values, days):
    """What the paid orders of the last `days` days would have paid under the global rules in `values`
    (refused like a save when the guard refuses them). Reads only."""
    data = commission_rules.proposed_rules(**values)[1]
    return policy.preview(commission_rules.rules_from_data(0, data), days)


@bp.get("/rules/preview")
def rules_preview():
    form = CommissionRulesForm(formdata=request.args, meta={"csrf": False})
    days = request.args.get("days", type=int)
    days = days if days in PREVIEW_DAYS else policy.DEFAULT_DAYS
    result = None
    if form.validate():
        try:
            result = preview_rules(form.rules_data(), days)
        except ServiceError as err:
            form.form_errors.append(err.message)
    return render_template("admin/distribution/rules.html", form=form, versions=services.recent_rule_versions(),
                           preview=result, days=days, preview_days=PREVIEW_DAYS), 200 if result else 400
