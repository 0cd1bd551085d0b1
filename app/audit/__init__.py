"""The audit log of personal data: every unmasked view and every export (PIPL)."""
