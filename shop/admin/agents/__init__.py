"""Admin 区域代理: appointments with their region figures, an agent\x27s page, the export."""
