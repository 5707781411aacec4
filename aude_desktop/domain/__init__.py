"""The domain core: the command registry, the field checks and the transition registry (pure, stdlib only)."""
