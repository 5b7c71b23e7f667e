"""Home page, health check, uploaded media, language switch."""
