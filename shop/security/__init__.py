"""Web security that applies to every response."""
