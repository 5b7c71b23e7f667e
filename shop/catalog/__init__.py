"""Categories, products, SKUs and their images."""
