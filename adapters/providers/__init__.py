"""Shared machinery of the HTTP provider adapters: deadlines, read retries, account limiter."""
