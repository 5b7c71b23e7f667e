"""Admin 订单: every shopper's orders, their details, and shipping paid ones."""
