"""Points (积分): an append-only points ledger with its own audit; earned on completed orders, by the daily
check-in and for an invitee's first paid order; spent at checkout; returned and taken back on refunds; expired
by a scheduled command."""
