"""Editing the two-level category tree; the depth rule itself is catalog.services.category_parent."""
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from ...catalog.models import Category, Product
from ...catalog.services import category_parent
from ...database import transaction
from ...errors import ServiceError, found
from ...extensions import db


def _tops():
    return select(Category).where(Category.parent_id.is_(None)).order_by(Category.sort.desc(), Category.id)


def category_tree():
    """Every top-level category with all its children, hidden ones included, in display order."""
    return db.session.scalars(_tops().options(selectinload(Category.children))).all()


def category_choices(blank_label):
    """(id, label) pairs for a product's category select, children indented under their parent."""
    choices = [(0, blank_label)]
    for top in category_tree():
        choices.append((top.id, top.name))
        choices.extend((child.id, "\u3000└ " + child.name) for child in top.children)
    return choices


def parent_choices(blank_label, category=None):
    """(id, label) pairs of the top-level categories category may sit under (never itself)."""
    tops = db.session.scalars(_tops()).all()
    return [(0, blank_label)] + [(c.id, c.name) for c in tops if category is None or c.id != category.id]


def get_category(category_id):
    """Any category, hidden or not; or 404."""
    return found(db.session.get(Category, category_id), _("分类不存在"))


def save_category(data, category=None):
    """Create or update a category under a parent the two-level rule allows; commits.

    data: name, parent_id (0 or None for top level), sort, is_visible.
    """
    with transaction():
        name = (data.get("name") or "").strip()
        if not name or len(name) > 40:
            raise ServiceError(_("分类名称必填，最多40字"))
        parent = category_parent(data.get("parent_id"), category)
        if category is None:
            category = Category()
            db.session.add(category)
        category.name, category.parent = name, parent
        category.sort, category.is_visible = int(data.get("sort") or 0), bool(data.get("is_visible"))
    return category


def delete_category(category):
    """Delete a category without children; its products stay, with no category; commits."""
    with transaction():
        if category.children:
            raise ServiceError(_("「%(name)s」下还有子分类，请先删除或移走子分类", name=category.name))
        db.session.execute(update(Product).where(Product.category_id == category.id).values(category_id=None))
        db.session.delete(category)
