"""Reports: the dashboard's figures by China-time day, their daily roll-ups, and the latest money audit."""
