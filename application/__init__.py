"""Use cases of imagestudio and the ports they depend on."""
