"""Certificates: issued once when a course's completion rule holds, rendered to PDF, verifiable."""
