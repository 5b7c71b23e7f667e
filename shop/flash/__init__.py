"""Flash sales (秒杀): time slots whose items have their own price, their own limited stock and a per-member limit."""
