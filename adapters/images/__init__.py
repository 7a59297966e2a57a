"""imagestudio adapters/images."""
