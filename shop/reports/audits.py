"""The latest result of `flask shop audit`, kept as one row per run so the dashboard can show it without running
the audit (which reads every ledger entry). A clean run is recorded too: "clean, as of when" is the news."""
from sqlalchemy import select

from ..database import transaction
from ..extensions import db
from .models import AuditRun


def record_audit_run(report):
    """Store one run's outcome (clean, how many problems, the first few). Owns its transaction."""
    with transaction():
        db.session.add(AuditRun(clean=report.clean, problem_count=len(report.problems),
                                summary="; ".join(report.problems[:3])[:300]))


def latest_audit_run():
    """The most recent AuditRun, or None when the audit never ran. Reads only."""
    return db.session.scalars(select(AuditRun).order_by(AuditRun.id.desc()).limit(1)).first()
