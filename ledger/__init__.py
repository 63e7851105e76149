"""The application: store, rules, import, integrity, exports, CLI."""
