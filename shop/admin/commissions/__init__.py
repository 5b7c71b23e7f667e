"""Admin 佣金: search commissions with totals, a distributor's ledger, manual adjustments."""
