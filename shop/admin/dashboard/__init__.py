"""Admin 概览: the figures the merchant sees first."""
