"""The small, stable core of eirules: case model, clocks, rulesets and the plugin contract.

The core never names Part C, Part B or MTSS; those are plugins.
"""
