"""Admin 增长: the invite funnel and fraud flags (风控)."""
