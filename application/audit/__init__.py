"""The audit against the providers' own books: matching, comparing, reporting."""
