"""分红池, the dividend pool: a share of a period's completed sales, paid once per period to chosen grades."""
