"""WaveSpeed v3 adapter (provider_contracts.md §1): httpx, submit once, poll with back-off."""
