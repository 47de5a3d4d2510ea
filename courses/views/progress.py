"""Course pages: progress (filled in with the courses issue)."""
