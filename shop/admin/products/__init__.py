"""Admin 商品: products with SKUs and images, the product's own commission and its promotion materials (推广素材)."""
