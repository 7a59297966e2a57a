"""imagestudio entrypoints/cli."""
