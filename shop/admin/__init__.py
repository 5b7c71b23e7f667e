"""Merchant admin: one module and one template folder per area."""
