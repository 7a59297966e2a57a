"""imagestudio adapters/offline_provider."""
