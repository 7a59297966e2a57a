"""imagestudio entrypoints."""
