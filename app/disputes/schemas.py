"""Request bodies of the case API, declared so the OpenAPI description documents them.

msgspec checks the types and the constraints declared here (minimums, maximums, allowed
values), so the OpenAPI description states them and schema-valid input is not refused for a
rule it did not show; validation.py and action_fields.py, which the forms share, check the same
values again, so the API and the pages answer bad input alike.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

INT4_MAX = 2_147_483_647
Version = Annotated[int, Meta(ge=1, le=INT4_MAX)]


class PartyIn(msgspec.Struct, omit_defaults=True):
    name: str
    role: str = "applicant"
    phone: str | None = None
    id_number: str | None = None
    address: str | None = None


class DisputeIn(msgspec.Struct, omit_defaults=True):
    """A case to log. `id` is the client's UUID: posting it again is safe. `captured_at` is
    when it was saved on the phone (shown as the time it was logged; 422 when more than 5
    minutes in the future or more than 30 days ago); deadlines start when the server gets it."""

    title: str
    category: str
    id: uuid.UUID | None = None
    description: str | None = None
    occurred_at: str | None = None
    captured_at: str | None = None
    source: str | None = None
    lon: float | None = None
    lat: float | None = None
    gps_accuracy_m: float | None = None
    # gps: the phone's fix; manual: placed by hand (the map's pin moved, or typed). Absent: gps
    # when an accuracy comes with the point, else manual
    location_source: Literal["gps", "manual"] | None = None
    grid_id: int | None = None
    people_involved: int | None = None
    risk_level: str | None = None
    parties: list[PartyIn] | None = None


class ActionIn(msgspec.Struct, kw_only=True, omit_defaults=True):
    """Every action carries the version of the case it was decided on (stale: 409), an optional
    note, and the ids of attachments uploaded for it."""

    version: Version
    note: str | None = None
    attachment_ids: list[str | int] | None = None


class AcceptIn(ActionIn, kw_only=True):
    """受理. `rights_notified`: the parties were told their rights and duties."""

    rights_notified: bool = False


class RecordIn(ActionIn, kw_only=True):
    """A mediation record: kind rights_notice | investigation | visit | talk | attempt (a session,
    counted on the ladder, with outcome agreement | no_agreement | adjourned). The note says what
    was done."""

    kind: Literal["rights_notice", "investigation", "visit", "talk", "attempt"]
    outcome: Literal["agreement", "no_agreement", "adjourned"] | None = None
    occurred_at: str | None = None


class EscalateIn(ActionIn, kw_only=True):
    """上报: one level up, with the reason the current level cannot settle it."""

    reason: str | None = None


class HandBackIn(ActionIn, kw_only=True):
    """交办: to a lower level (`to_level`), with instructions and optionally a deadline day.
    The level below keeps the sessions it has already held (the ladder counts a case's whole
    life); `extra_attempts` (0–3) grants it that many more, recorded in the ledger."""

    to_level: Literal["village", "township", "county"]
    instructions: str | None = None
    due_on: date | None = None
    extra_attempts: int | None = None


class SuperviseIn(ActionIn, kw_only=True):
    """督办: instructions and the day by which the holder must reply."""

    instructions: str | None = None
    due_on: date | None = None


class ReplyIn(ActionIn, kw_only=True):
    """The holder's reply to a supervision order (the oldest open one unless `supervision_id`)."""

    reply: str | None = None
    supervision_id: int | None = None


class ReferIn(ActionIn, kw_only=True):
    """分流 / 诉调对接: channel court | arbitration | agency, its name, and why."""

    channel: Literal["court", "arbitration", "agency"]
    body: str | None = None
    reason: str | None = None


class ReferralResultIn(ActionIn, kw_only=True):
    """What the channel concluded: outcome settled | judged | returned (back to mediation)."""

    outcome: Literal["settled", "judged", "returned"]
    result: str | None = None


class TermIn(msgspec.Struct, omit_defaults=True):
    text: str
    due_on: date | None = None


class ResolveIn(ActionIn, kw_only=True):
    """化解: kind agreement (terms, who signed, the day) or on_the_spot (the note says how)."""

    kind: Literal["agreement", "on_the_spot"] = "agreement"
    terms: list[TermIn] | None = None
    signed_by: str | None = None
    signed_on: date | None = None


class ReasonIn(ActionIn, kw_only=True):
    """withdraw (the applicant withdraws), terminate (close as unresolvable) and reopen take a reason."""

    reason: str | None = None


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

    override_reason: str | None = None


class ExtendIn(ActionIn, kw_only=True):
    """More days for the running time limit, with a reason (e.g. both parties asked for time)."""

    days: Annotated[int, Meta(ge=1, le=90)]
    reason: str | None = None


class MarkDuplicateIn(ActionIn, kw_only=True):
    """This case duplicates `duplicate_of`: it is merged into it and both ledgers say so."""

    duplicate_of: uuid.UUID


class MoveIn(ActionIn, kw_only=True):
    """To another grid (so perhaps another village or township) of the officer's area, with the
    reason: filed in the wrong place. The old area no longer sees the case."""

    grid: int
    reason: str | None = None


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
