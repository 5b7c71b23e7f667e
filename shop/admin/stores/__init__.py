"""Admin 门店: stores, their clerks, photos, members and pickup sales."""
