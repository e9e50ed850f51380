"""Orchestration layer: where methods are chained (the year evaluation, the quarter's shared state).
Takes frames and settings, returns frames; reading files and caching belong to the adapters."""
