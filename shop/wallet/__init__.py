"""Distributor money: accounts, the append-only ledger, withdrawals and the audit."""
