"""Admin 分红池: the pool settings, paying a period, and each paid period explained."""
