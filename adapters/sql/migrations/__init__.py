"""Alembic migrations of the imagestudio schema, shipped in the package."""
