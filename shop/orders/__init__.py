"""Orders: checkout, the status machine, cancellation and expiry."""
