"""Core layer: depends on nothing else of the package — exceptions, config, money, calendar, periods,
numbers, schema, validation and the labels (every user-facing word)."""
