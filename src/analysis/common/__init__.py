"""What every step shares: configuration, paths, errors (and what an OSError means), the table
schemas, text and vocabulary helpers, number formatting and terminal output."""
