"""Sessions, queries, unit of work and change feed. The only layer that writes SQL."""
