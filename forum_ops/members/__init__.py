"""The membership registry: organisations, members, roles, and who may do what."""
