"""Request bodies of the case API, declared so the OpenAPI description documents them.

msgspec checks the types and the constraints declared here (minimums, maximums, allowed
values, lengths, text that must not be blank), so the OpenAPI description states them and
schema-valid input is not refused for a rule it did not show; validation.py and
action_fields.py, which the forms share, check the same values again, so the API and the pages
answer bad input alike. What no schema can say (a point outside its grid, a day that must lie
after today, a case or a term that must exist) is named in each operation's description.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, ClassVar, Literal

import msgspec
from msgspec import Meta

from app.openapi import FILLED, FILLED_TEXT, INT4_MAX, RowId, needs_when

Version = Annotated[int, Meta(ge=1, le=INT4_MAX)]
Note = Annotated[str, Meta(max_length=2000)]
Reason = Annotated[str, Meta(min_length=1, max_length=2000, pattern=FILLED)]
Lon = Annotated[float, Meta(ge=-180, le=180)]
Lat = Annotated[float, Meta(ge=-90, le=90)]
Accuracy = Annotated[float, Meta(ge=0, le=100_000)]
# a category's code (the list is the county's: GET /api/v1/categories)
CategoryCode = Annotated[str, Meta(pattern=r"^[a-z][a-z0-9_]{1,31}$")]
# an uploaded attachment's id (a UUID, or a row number from older clients)
AttachmentId = (
    Annotated[str, Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$")]
    | Annotated[int, Meta(ge=0, le=INT4_MAX)]
)


class PartyIn(msgspec.Struct, omit_defaults=True):
    name: Annotated[str, Meta(min_length=1, max_length=100, pattern=FILLED)]
    role: Literal["applicant", "respondent", "other"] | None = "applicant"
    phone: Annotated[str, Meta(max_length=32, pattern=r"^\s*[\d+\- ]*\s*$")] | None = None
    id_number: Annotated[str, Meta(max_length=32)] | None = None
    address: Annotated[str, Meta(max_length=200)] | None = None


class DisputeIn(msgspec.Struct, omit_defaults=True):
    """A case to log. `id` is the client's UUID: posting it again with the same content answers
    the stored case (200), with other content 409.

    Checked against stored data and the clock, so 422 naming the field even when the body
    fits this description: `category` must be one of GET /api/v1/categories; `lon` and `lat`
    come together, and with a `grid_id` the point must lie in that grid (422 naming `lon` and
    `lat`, with `located_grid` when it lies in another grid of your area); `grid_id` must be a
    grid of your area (or, without one, the point must lie in it, or you must be a grid
    worker); `occurred_at` lies between 1990 and a year from now; `captured_at` (when it was
    saved on the phone) at most 5 minutes ahead of the server's clock and 30 days back.
    Deadlines start when the server gets it."""

    title: Annotated[str, Meta(min_length=1, max_length=200, pattern=FILLED)]
    category: CategoryCode
    id: uuid.UUID | None = None
    description: Annotated[str, Meta(max_length=5000)] | None = None
    occurred_at: datetime | None = None
    captured_at: datetime | None = None
    source: Literal["patrol", "walk_in", "hotline", "online"] | None = None
    lon: Lon | None = None
    lat: Lat | None = None
    gps_accuracy_m: Accuracy | None = None
    # gps: the phone's fix; manual: placed by hand (the map's pin moved, or typed). Absent: gps
    # when an accuracy comes with the point, else manual
    location_source: Literal["gps", "manual"] | None = None
    grid_id: RowId | None = None
    people_involved: Annotated[int, Meta(ge=1, le=100_000)] | None = None
    risk_level: Literal["low", "medium", "high"] | None = None
    parties: Annotated[list[PartyIn], Meta(max_length=20)] | None = None


class ActionIn(msgspec.Struct, kw_only=True, omit_defaults=True):
    """Every action carries the version of the case it was decided on (stale: 409), an optional
    note, and the ids of attachments uploaded for it."""

    version: Version
    note: Note | None = None
    attachment_ids: Annotated[list[AttachmentId], Meta(max_length=20)] | None = None


class AcceptIn(ActionIn, kw_only=True):
    """受理. `rights_notified`: the parties were told their rights and duties."""

    rights_notified: bool = False


class RecordIn(ActionIn, kw_only=True):
    """A mediation record: kind rights_notice | investigation | visit | talk | attempt (a session,
    counted on the ladder, with outcome agreement | no_agreement | adjourned). The note says what
    was done."""

    json_schema_rules: ClassVar = {
        "allOf": [
            needs_when(
                "kind", "attempt", {"outcome": {"enum": ["agreement", "no_agreement", "adjourned"]}}
            )
        ]
    }

    kind: Literal["rights_notice", "investigation", "visit", "talk", "attempt"]
    note: Reason
    outcome: Literal["agreement", "no_agreement", "adjourned"] | None = None
    occurred_at: datetime | None = None


class EscalateIn(ActionIn, kw_only=True):
    """上报: one level up, with the reason the current level cannot settle it."""

    reason: Reason


class HandBackIn(ActionIn, kw_only=True):
    """交办: to a lower level (`to_level`), with instructions and optionally a deadline day.
    The level below keeps the sessions it has already held (the ladder counts a case's whole
    life); `extra_attempts` (0–3) grants it that many more, recorded in the ledger."""

    to_level: Literal["village", "township", "county"]
    instructions: Reason
    due_on: date | None = None
    extra_attempts: Annotated[int, Meta(ge=0, le=3)] | None = None


class SuperviseIn(ActionIn, kw_only=True):
    """督办: instructions and the day by which the holder must reply."""

    instructions: Reason
    due_on: date


class ReplyIn(ActionIn, kw_only=True):
    """The holder's reply to a supervision order (the oldest open one unless `supervision_id`)."""

    reply: Reason
    supervision_id: RowId | None = None


class ReferIn(ActionIn, kw_only=True):
    """分流 / 诉调对接: channel court | arbitration | agency, its name, and why."""

    channel: Literal["court", "arbitration", "agency"]
    body: Annotated[str, Meta(max_length=200)] | None = None
    reason: Reason


class ReferralResultIn(ActionIn, kw_only=True):
    """What the channel concluded: outcome settled | judged | returned (back to mediation)."""

    outcome: Literal["settled", "judged", "returned"]
    result: Reason


class TermIn(msgspec.Struct, omit_defaults=True):
    text: Annotated[str, Meta(min_length=1, max_length=500, pattern=FILLED)]
    due_on: date | None = None


class ResolveIn(ActionIn, kw_only=True):
    """化解: kind agreement (terms, who signed, the day) or on_the_spot (the note says how)."""

    json_schema_rules: ClassVar = {
        "allOf": [
            needs_when(
                "kind",
                "on_the_spot",
                {"note": FILLED_TEXT},
                otherwise={
                    "terms": {"type": "array", "minItems": 1},
                    "signed_by": FILLED_TEXT,
                    "signed_on": {"type": "string", "format": "date"},
                },
            )
        ]
    }

    kind: Literal["agreement", "on_the_spot"] = "agreement"
    terms: Annotated[list[TermIn], Meta(max_length=20)] | None = None
    signed_by: Annotated[str, Meta(max_length=300)] | None = None
    signed_on: date | None = None


class ReasonIn(ActionIn, kw_only=True):
    """withdraw (the applicant withdraws), terminate (close as unresolvable) and reopen take a reason."""

    reason: Reason


class FollowUpIn(ActionIn, kw_only=True):
    """回访: method visit | phone | meeting; honoured yes | partly | no; satisfaction 1–5."""

    method: Literal["visit", "phone", "meeting"]
    honoured: Literal["yes", "partly", "no"]
    satisfaction: Annotated[int, Meta(ge=1, le=5)]


class PerformanceIn(ActionIn, kw_only=True):
    """履行: agreement term number `term` (from 0) is done or not_done."""

    term: Annotated[int, Meta(ge=0, le=19)]
    state: Literal["done", "not_done"]


class CloseIn(ActionIn, kw_only=True):
    """销号: only once the case is settled and followed up, with its case file complete. While a
    document is missing the close is refused (422) unless `override_reason` says why it is
    closed anyway; the reason and the missing documents go into the ledger and the printed file."""

    override_reason: Note | None = None


class ExtendIn(ActionIn, kw_only=True):
    """More days for the running time limit, with a reason (e.g. both parties asked for time)."""

    days: Annotated[int, Meta(ge=1, le=90)]
    reason: Reason


class MarkDuplicateIn(ActionIn, kw_only=True):
    """This case duplicates `duplicate_of`: it is merged into it and both ledgers say so."""

    duplicate_of: uuid.UUID


class MoveIn(ActionIn, kw_only=True):
    """To another grid (so perhaps another village or township) of the officer's area, with the
    reason: filed in the wrong place. The old area no longer sees the case."""

    grid: RowId
    reason: Reason


ACTION_BODIES: dict[str, type[ActionIn]] = {
    "accept": AcceptIn,
    "record": RecordIn,
    "escalate": EscalateIn,
    "hand-back": HandBackIn,
    "supervise": SuperviseIn,
    "reply": ReplyIn,
    "refer": ReferIn,
    "referral-result": ReferralResultIn,
    "resolve": ResolveIn,
    "withdraw": ReasonIn,
    "follow-up": FollowUpIn,
    "performance": PerformanceIn,
    "close": CloseIn,
    "terminate": ReasonIn,
    "reopen": ReasonIn,
    "extend": ExtendIn,
    "mark-duplicate": MarkDuplicateIn,
    "move": MoveIn,
}
