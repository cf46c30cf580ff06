"""Shipped rulesets: the federal baseline `us` and state rulesets that extend it (TOML data)."""
