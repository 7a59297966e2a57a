"""The pure domain of imagestudio: operations, models, prices, plans, quotas and the ledger."""
