"""Admin 分类: the two-level category tree."""
