"""The fields of each case action, cleaned, or FieldErrors naming each bad one.

The API (JSON) and the case page (forms, flattened by pages.form_to_action) both come through
`parse_action`, so a bad value gets the same message on both. What comes out is what the
ledger event records.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from app.disputes.errors import FieldErrors
from app.disputes.validation import choice_field, datetime_field, number_field, text_field
from app.disputes.vocabulary import (
    ATTEMPT_OUTCOMES,
    CASE_LEVELS,
    FOLLOW_UP_METHODS,
    HONOURED,
    RECORD_KINDS,
    REFERRAL_CHANNELS,
    REFERRAL_OUTCOMES,
    RESOLUTION_KINDS,
    TERM_STATES,
)
from app.i18n import _

MAX_NOTE = 2000
MAX_TERMS = 20
MAX_ATTACHMENTS = 20
MAX_EXTENSION_DAYS = 90
MAX_EXTRA_ATTEMPTS = 3  # sessions a hand-back may grant the level below

Fields = dict[str, Any]


def _required_text(data: dict, name: str, errors: dict, limit: int = MAX_NOTE) -> str:
    return text_field(data.get(name), name, errors, required=True, limit=limit)


def _required_number(data: dict, name: str, errors: dict, low: int, high: int) -> int | None:
    value = number_field(data.get(name), name, errors, low=low, high=high, integer=True)
    if value is None and name not in errors:
        errors[name] = _("This field is required.")
    return value


def _date(value: Any, name: str, errors: dict, *, required: bool = False) -> date | None:
    if value in (None, ""):
        if required:
            errors[name] = _("This field is required.")
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[name] = _("Must be a date like 2026-05-01.")
        return None


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() in ("1", "true", "on", "yes")


def _attachment_ids(value: Any, errors: dict) -> list[str]:
    """Ids of attachments uploaded beforehand (the attachments domain owns them)."""
    if value in (None, "", []):
        return []
    if not isinstance(value, list) or len(value) > MAX_ATTACHMENTS:
        errors["attachment_ids"] = _("At most %(n)s attachment ids, as a list.", n=MAX_ATTACHMENTS)
        return []
    ids = [str(v).strip() for v in value]
    if any(not v or len(v) > 64 or not v.replace("-", "").isalnum() for v in ids):
        errors["attachment_ids"] = _("An attachment id is not valid.")
        return []
    return ids


def _accept(data: dict, errors: dict) -> Fields:
    return {"rights_notified": _flag(data.get("rights_notified"))}


def _record(data: dict, errors: dict) -> Fields:
    kind = choice_field(data.get("kind"), "kind", errors, RECORD_KINDS, None)
    fields: Fields = {"kind": kind}
    if kind == "attempt":
        fields["outcome"] = choice_field(
            data.get("outcome"), "outcome", errors, ATTEMPT_OUTCOMES, None
        )
    if (when := datetime_field(data.get("occurred_at"), "occurred_at", errors)) is not None:
        fields["occurred_at"] = when.isoformat()
    if not str(data.get("note") or "").strip():
        errors["note"] = _("Say what was done and what came of it.")
    return fields


def _escalate(data: dict, errors: dict) -> Fields:
    return {"reason": _required_text(data, "reason", errors)}


def _hand_back(data: dict, errors: dict) -> Fields:
    return {
        "to_level": choice_field(data.get("to_level"), "to_level", errors, CASE_LEVELS, None),
        "instructions": _required_text(data, "instructions", errors),
        "due_on": _date(data.get("due_on"), "due_on", errors),
        "extra_attempts": number_field(
            data.get("extra_attempts"),
            "extra_attempts",
            errors,
            low=0,
            high=MAX_EXTRA_ATTEMPTS,
            integer=True,
        ),
    }


def _supervise(data: dict, errors: dict) -> Fields:
    return {
        "instructions": _required_text(data, "instructions", errors),
        "due_on": _date(data.get("due_on"), "due_on", errors, required=True),
    }


def _reply(data: dict, errors: dict) -> Fields:
    supervision = number_field(
        data.get("supervision_id"), "supervision_id", errors, low=1, high=2**31 - 1, integer=True
    )
    return {"reply": _required_text(data, "reply", errors), "supervision_id": supervision}


def _refer(data: dict, errors: dict) -> Fields:
    return {
        "channel": choice_field(data.get("channel"), "channel", errors, REFERRAL_CHANNELS, None),
        "body": text_field(data.get("body"), "body", errors, limit=200),
        "reason": _required_text(data, "reason", errors),
    }


def _referral_result(data: dict, errors: dict) -> Fields:
    return {
        "outcome": choice_field(data.get("outcome"), "outcome", errors, REFERRAL_OUTCOMES, None),
        "result": _required_text(data, "result", errors),
    }


def _terms(value: Any, errors: dict) -> list[dict]:
    if not isinstance(value, list) or not value:
        errors["terms"] = _("An agreement needs at least one term.")
        return []
    if len(value) > MAX_TERMS:
        errors["terms"] = _("At most %(n)s terms.", n=MAX_TERMS)
        return []
    terms = []
    for i, item in enumerate(value):
        item = item if isinstance(item, dict) else {"text": item}
        text = text_field(item.get("text"), f"terms[{i}].text", errors, required=True, limit=500)
        due_on = _date(item.get("due_on"), f"terms[{i}].due_on", errors)
        terms.append({"text": text, "due_on": due_on.isoformat() if due_on else None})
    return terms


def _resolve(data: dict, errors: dict) -> Fields:
    kind = choice_field(data.get("kind"), "kind", errors, RESOLUTION_KINDS, "agreement")
    if kind == "on_the_spot":
        if not str(data.get("note") or "").strip():
            errors["note"] = _("Say how it was settled.")
        return {"kind": kind}
    signed_on = _date(data.get("signed_on"), "signed_on", errors, required=True)
    return {
        "kind": kind,
        "terms": _terms(data.get("terms"), errors),
        "signed_by": _required_text(data, "signed_by", errors, limit=300),
        "signed_on": signed_on,
    }


def _reason_only(data: dict, errors: dict) -> Fields:
    return {"reason": _required_text(data, "reason", errors)}


def _follow_up(data: dict, errors: dict) -> Fields:
    return {
        "method": choice_field(data.get("method"), "method", errors, FOLLOW_UP_METHODS, None),
        "honoured": choice_field(data.get("honoured"), "honoured", errors, HONOURED, None),
        "satisfaction": _required_number(data, "satisfaction", errors, 1, 5),
    }


def _performance(data: dict, errors: dict) -> Fields:
    term = _required_number(data, "term", errors, 0, MAX_TERMS - 1)
    done_or_not = {k: v for k, v in TERM_STATES.items() if k != "pending"}
    state = choice_field(data.get("state"), "state", errors, done_or_not, None)
    return {"term": term, "state": state}


def _close(data: dict, errors: dict) -> Fields:
    # Needed only when the case file lacks a document (the service decides).
    return {
        "override_reason": text_field(
            data.get("override_reason"), "override_reason", errors, limit=MAX_NOTE
        )
    }


def _extend(data: dict, errors: dict) -> Fields:
    days = _required_number(data, "days", errors, 1, MAX_EXTENSION_DAYS)
    return {"days": days, "reason": _required_text(data, "reason", errors)}


def _mark_duplicate(data: dict, errors: dict) -> Fields:
    try:
        other = uuid.UUID(str(data.get("duplicate_of")))
    except ValueError:
        errors["duplicate_of"] = _("Choose the case this one duplicates.")
        other = None
    return {"duplicate_of": other}


def _move(data: dict, errors: dict) -> Fields:
    grid = number_field(data.get("grid"), "grid", errors, low=1, high=2**31 - 1, integer=True)
    if grid is None and "grid" not in errors:
        errors["grid"] = _("Choose the grid the case belongs to.")
    return {"grid": grid, "reason": _required_text(data, "reason", errors)}


PARSERS: dict[str, Callable[[dict, dict], Fields]] = {
    "accept": _accept,
    "record": _record,
    "escalate": _escalate,
    "hand-back": _hand_back,
    "supervise": _supervise,
    "reply": _reply,
    "refer": _refer,
    "referral-result": _referral_result,
    "resolve": _resolve,
    "withdraw": _reason_only,
    "follow-up": _follow_up,
    "performance": _performance,
    "close": _close,
    "terminate": _reason_only,
    "reopen": _reason_only,
    "extend": _extend,
    "mark-duplicate": _mark_duplicate,
    "move": _move,
}


def readable_version(data: Any) -> int | None:
    """The version a submitted action was decided on, or None when it is missing or not a
    number (parse_action then names it, once the refusals before fields are past)."""
    if not isinstance(data, dict):
        return None
    version = number_field(data.get("version"), "version", {}, low=1, high=2**31 - 1, integer=True)
    return int(version) if version is not None else None


def parse_action(action: str, data: dict[str, Any]) -> tuple[int, Fields]:
    """(version, fields) of a submitted action. Every action takes a note and attachment ids."""
    errors: dict[str, str] = {}
    version = _required_number(data, "version", errors, 1, 2**31 - 1)
    fields = PARSERS[action](data, errors)
    fields["note"] = text_field(data.get("note"), "note", errors, limit=MAX_NOTE)
    fields["attachment_ids"] = _attachment_ids(data.get("attachment_ids"), errors)
    if errors:
        raise FieldErrors(errors)
    return int(version), fields  # type: ignore[arg-type]
