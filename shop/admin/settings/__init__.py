"""Admin 设置: the shipping rule."""
