"""imagestudio adapters/sql."""
