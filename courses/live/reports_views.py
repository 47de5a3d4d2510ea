"""Attendance by leadership level: for a session, a program or a leader's subtree."""
