"""Views of the units app: pages (tree, details, lists) and transfer (import, export)."""
