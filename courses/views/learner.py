"""Course pages: learner (filled in with the courses issue)."""
