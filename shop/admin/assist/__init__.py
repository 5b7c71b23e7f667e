"""Admin 助力免单: the products enabled for share-to-win and their campaigns."""
