"""The HTTP API: FastAPI on uvicorn, over the same use cases as the CLI and the Python API."""
