"""The Terms of Reference: versions, their text, and ratification by the boroughs' votes."""
