"""The Terms of Reference in Teams: `tor`, votes, uploads of a new version, its jobs."""
