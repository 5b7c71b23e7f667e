"""Admin 售后: the refund queue, one refund with its lines and payment, approve (with 退回库存) or reject."""
