"""Admin 告警: payment alerts by kind, handled or not, and marking one handled with a note."""
