"""imagestudio adapters/system."""
