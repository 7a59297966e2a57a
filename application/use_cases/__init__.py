"""Use-case interactors: one class, one public method each."""
