"""Closed sets (statuses, kinds, sources): the database holds the same CHECK constraints as the models, every
set is one `labels` entry for the templates, and every label has its English."""
import re

import flask_babel
from sqlalchemy import CheckConstraint, inspect

from shop.vocabulary import Labels

QUOTED = re.compile(r"'([^']*)'")
HAN = re.compile(r"[\u4e00-\u9fff]")
NUMBER = re.compile(r"-?\d+")


def allowed_values(sqltext):
    """The quoted text literals of a CHECK, which both dialects keep ('paid'::character varying on PostgreSQL);
    numbers are left out (PostgreSQL quotes a negative bound: '-90000000'::integer)."""
    return sorted(v for v in QUOTED.findall(str(sqltext)) if not NUMBER.fullmatch(v))


def test_the_migrated_database_has_the_models_check_constraints(db):
    """Autogenerate does not compare CHECK constraints; this does, by name and allowed values."""
    inspector = inspect(db.engine)
    for table in db.metadata.sorted_tables:
        declared = {c.name: allowed_values(c.sqltext) for c in table.constraints if isinstance(c, CheckConstraint)}
        migrated = {c["name"]: allowed_values(c["sqltext"]) for c in inspector.get_check_constraints(table.name)}
        assert migrated == declared, table.name


def test_templates_read_every_set_from_one_global(app):
    labels = app.jinja_env.globals["labels"]
    assert all(isinstance(mapping, Labels) for mapping in vars(labels).values())
    with app.test_request_context("/"):
        assert app.jinja_env.from_string("{{ labels.commission_status['frozen'] }}").render() == "冻结中"
        # An unknown value (an old row) shows as itself instead of failing the page.
        assert app.jinja_env.from_string("{{ labels.withdrawal_status['lost'] }}").render() == "lost"


def test_every_label_reads_in_english(app):
    with app.test_request_context("/?lang=en"):
        flask_babel.refresh()
        english = {name: {value: str(label) for value, label in mapping.items()}
                   for name, mapping in vars(app.jinja_env.globals["labels"]).items()}
    chinese = {name: texts for name, texts in english.items() if any(HAN.search(t) for t in texts.values())}
    assert chinese == {}
