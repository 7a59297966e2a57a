"""Test-only helpers shared by several test folders (not part of the package)."""
