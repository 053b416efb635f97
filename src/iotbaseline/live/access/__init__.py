"""Tests of access without authentication: each reads, none writes (issue 8, point 3)."""
