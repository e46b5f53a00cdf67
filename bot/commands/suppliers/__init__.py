"""Suppliers in Teams: `suppliers`, the search extension, GIAS imports."""
