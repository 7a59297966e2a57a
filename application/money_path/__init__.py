"""The money path: accept, call, store, settle — each write transaction one unit of work."""
