"""imagestudio adapters/s3."""
