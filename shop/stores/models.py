"""Stores, their clerks (members given the store-clerk role for one store) and the members a clerk brought in.

Coordinates are stored as integer micro-degrees (lat_e6 = latitude × 1,000,000): exact to about 0.1 m, compared
exactly in SQL by the nearest-store bounding box, never a float column."""
from ..clock import utcnow
from ..extensions import db

MICRO = 1_000_000


class Store(db.Model):
    """A physical store joined to the mall; its region (province/city/district) is what regional agents use."""
    __tablename__ = "stores"
    __table_args__ = (
        db.CheckConstraint(f"lat_e6 BETWEEN {-90 * MICRO} AND {90 * MICRO}", name="lat_range"),
        db.CheckConstraint(f"lng_e6 BETWEEN {-180 * MICRO} AND {180 * MICRO}", name="lng_range"),
        #: The nearest-store prefilter: a latitude band, then longitude, among open stores.
        db.Index("ix_stores_open_lat_lng", "is_open", "lat_e6", "lng_e6"),
        db.Index("ix_stores_region", "province", "city", "district"),
        db.Index("ix_stores_city_open", "city", "is_open"),
    )
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(60), nullable=False)
    province = db.Column(db.String(40), nullable=False)
    city = db.Column(db.String(40), nullable=False)
    district = db.Column(db.String(40), nullable=False)
    detail = db.Column(db.String(200), nullable=False)
    #: Latitude and longitude in micro-degrees (GCJ-02 or WGS-84 as the merchant typed them; a few hundred
    #: metres of datum shift do not change which store is nearest in practice).
    lat_e6 = db.Column(db.Integer, nullable=False)
    lng_e6 = db.Column(db.Integer, nullable=False)
    hours = db.Column(db.String(100), nullable=False, default="")
    phone = db.Column(db.String(20), nullable=False, default="")
    #: Upload paths (catalog/images.py), the first is the cover.
    photos = db.Column(db.JSON)
    #: Off: not offered for pickup; its waiting orders can still be redeemed.
    is_open = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    clerks = db.relationship("StoreClerk", back_populates="store", order_by="StoreClerk.created_at")

    @property
    def address_text(self):
        return f"{self.province}{self.city if self.city != self.province else ''}{self.district}{self.detail}"

    @property
    def latitude(self):
        return self.lat_e6 / MICRO

    @property
    def longitude(self):
        return self.lng_e6 / MICRO

    @property
    def photo_list(self):
        return list(self.photos or [])


class StoreClerk(db.Model):
    """A member with the store-clerk role (店员) of exactly one store."""
    __tablename__ = "store_clerks"
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    store = db.relationship("Store", back_populates="clerks")
    user = db.relationship("User", lazy="joined")


class StoreMember(db.Model):
    """A member attributed to a store: bound (锁粉) through one of its clerks' invite links. Set once, at binding."""
    __tablename__ = "store_members"
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False)
    #: The clerk whose link brought the member in.
    clerk_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    __table_args__ = (db.Index("ix_store_members_store", "store_id", "created_at"),)

    user = db.relationship("User", foreign_keys=[user_id])
