"""The shopping cart: in the session for guests, in the database for members."""
