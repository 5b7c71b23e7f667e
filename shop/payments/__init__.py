"""Payments: gateways, notifications, refunds."""
