"""Live sessions: scheduling, registration with a waitlist, the roster and leader confirmation."""
