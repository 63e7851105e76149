"""Pure folds: events -> state as of a date. No database, no files."""
