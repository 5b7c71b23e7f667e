"""Admin 秒杀: flash-sale slots, their items and their figures."""
