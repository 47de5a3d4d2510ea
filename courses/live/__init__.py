"""Programs rolled out in waves, live sessions, registration and attendance by level."""
