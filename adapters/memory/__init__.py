"""imagestudio adapters/memory."""
