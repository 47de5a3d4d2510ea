"""Course pages: authoring (filled in with the courses issue)."""
