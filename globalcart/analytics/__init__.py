"""Customer and demand analytics: pandas DataFrames in, DataFrames out (no database access)."""
