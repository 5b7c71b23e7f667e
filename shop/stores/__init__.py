"""门店: physical stores, their clerks, pickup (到店自提) orders and their redemption (核销)."""
