"""imagestudio adapters/catalog."""
