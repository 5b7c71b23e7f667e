"""Merchant staff: accounts of their own (not shoppers), their roles, their sessions and the operation log."""
