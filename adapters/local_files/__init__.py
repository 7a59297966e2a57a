"""imagestudio adapters/local_files."""
