"""Course use cases. Services flush, never commit; the caller commits once."""
