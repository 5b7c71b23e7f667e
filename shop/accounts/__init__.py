"""Shopper accounts: phone + password or SMS code, sessions, address book."""
