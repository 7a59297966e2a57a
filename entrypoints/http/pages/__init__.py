"""The studio pages: server-rendered HTML at `/`, beside the API, on the same use cases."""
