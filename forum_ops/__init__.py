"""The forum's domain and services: organisations, members, conversations, and (later) asks,
meetings, agendas, takeaways and the Terms of Reference.

Plain Python over SQLAlchemy; it never imports the Teams transport (see the import-linter
contract in pyproject.toml).
"""
