"""Course pages: exchange (filled in with the courses issue)."""
