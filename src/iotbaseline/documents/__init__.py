"""The manufacturer's published information: fetched over HTTPS only (or read from a file) and judged."""
