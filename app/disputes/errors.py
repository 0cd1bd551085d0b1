"""Domain errors the routes turn into 409 / 422 answers (JSON problem or a form message)."""

from __future__ import annotations


class FieldErrors(Exception):
    """Bad input: one message per field, already in the user's language. `extra`: what helps
    to correct it (e.g. `located_grid`, the grid under a GPS point that disagrees with the grid
    chosen), added to the API's problem body and given to the form."""

    def __init__(self, errors: dict[str, str], extra: dict | None = None):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
        self.extra = extra or {}


class Conflict(Exception):
    """The request clashes with the current state (stale version, same id other content)."""

    def __init__(self, message: str, current: dict | None = None):
        super().__init__(message)
        self.message = message
        self.current = current
