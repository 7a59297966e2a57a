"""imagestudio adapters."""
