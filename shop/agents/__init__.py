"""区域代理: regional agents appointed by the merchant and their dividends on the orders of their region."""
