"""Admin 提现: the withdrawal queue, one withdrawal, approving, paying by hand, rejecting and the Excel export."""
