"""The case file: a dispute, its parties and its ledger of events.

A case stores the grid/village/township/county it was found in, resolved once when it is
logged (the scope of every query), and the level and node that currently hold it.
The columns describe the case now; the ledger (CaseEvent) says how it got there.
"""

from piccolo.columns import (
    UUID,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from app.auth.tables import User
from app.jurisdictions.tables import Jurisdiction


class Dispute(Table):
    id = UUID(primary_key=True, help_text="Client-generated: the same id posted twice is one case.")
    case_no = Varchar(length=32, unique=True, help_text="e.g. BY-2026-000123")
    # Indexes: only those a query plan uses (bench/README.md, "The dispute table's indexes"):
    # the scope columns are served by the composite indexes that lead with them.
    category = Varchar(length=32)
    title = Varchar(length=200)
    description = Text(default="")
    occurred_at = Timestamptz(null=True, default=None)
    source = Varchar(length=16, default="patrol")
    lon = Float(null=True, default=None)
    lat = Float(null=True, default=None)
    gps_accuracy_m = Float(null=True, default=None)
    location_source = Varchar(
        length=8,
        null=True,
        default=None,
        help_text="gps: the phone's fix; manual: placed by hand (the map's pin moved, or typed)",
    )
    county = ForeignKey(references=Jurisdiction, on_delete=OnDelete.restrict)
    township = ForeignKey(references=Jurisdiction, on_delete=OnDelete.restrict)
    village = ForeignKey(references=Jurisdiction, on_delete=OnDelete.restrict)
    grid = ForeignKey(references=Jurisdiction, on_delete=OnDelete.restrict)
    people_involved = Integer(default=2)
    risk_level = Varchar(length=8, default="low")
    status = Varchar(length=24, default="logged")
    level = Varchar(length=16, default="village", help_text="Level holding the case.")
    due_at = Timestamptz(null=True, default=None, index=True)
    version = Integer(default=1, help_text="Optimistic concurrency: every change bumps it.")
    content_hash = Varchar(length=64, help_text="Hash of the create payload (idempotent replays).")
    created_by = ForeignKey(references=User, on_delete=OnDelete.restrict, null=True)
    captured_at = Timestamptz(
        null=True,
        default=None,
        help_text="When it was saved on the phone (the phone's clock); null: logged online.",
    )
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())
    resolved_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    holder = ForeignKey(
        references=Jurisdiction,
        on_delete=OnDelete.restrict,
        null=True,
        default=None,
        help_text="The node whose mediators hold the case: its village, township or county.",
    )
    due_from = Timestamptz(null=True, default=None, help_text="When the running time limit began.")
    due_kind = Varchar(
        length=16, null=True, default=None, help_text="accept|resolve|hand_back|follow_up"
    )
    overdue_at = Timestamptz(
        null=True, default=None, help_text="When the scheduler flagged the running limit overdue."
    )
    escalation_notice_at = Timestamptz(
        null=True,
        default=None,
        help_text="When the scheduler told the level above to supervise the overdue case.",
    )
    follow_up_notice_at = Timestamptz(
        null=True,
        default=None,
        help_text="When the scheduler told whoever must visit that the follow-up visit is due.",
    )
    attempts = Integer(
        default=0,
        help_text="Mediation sessions held at the current level over the case's life (the ladder).",
    )
    attempts_by_level = Text(
        default="{}",
        help_text="JSON {level: n}: sessions held at each level the case has left (the ladder).",
    )
    attempts_granted = Text(
        default="{}",
        help_text="JSON {level: n}: sessions a hand-back granted a level beyond its allowance.",
    )
    accepted_at = Timestamptz(null=True, default=None)
    followed_up_at = Timestamptz(null=True, default=None)
    agreement_signed_on = Date(
        null=True, default=None, help_text="Starts the 30-day window to ask a court to confirm it."
    )
    duplicate_of = UUID(null=True, default=None, help_text="The case this one was merged into.")
    limits_version = Integer(
        null=True,
        default=None,
        help_text="The county's time limits this case runs under (limit_rules.version); none: "
        "the defaults from the environment.",
    )


class Party(Table):
    dispute = ForeignKey(references=Dispute, on_delete=OnDelete.cascade, index=True)
    role = Varchar(length=16, default="applicant", help_text="applicant|respondent|other")
    name = Varchar(length=100)
    phone = Text(null=True, default=None, help_text="Encrypted (app/crypto.py).")
    id_number = Text(null=True, default=None, help_text="Encrypted (app/crypto.py).")
    address = Varchar(length=200, default="")
    position = Integer(default=0)


class CaseEvent(Table):
    """The ledger (台账): append-only. Corrections are new events, never edits."""

    id = Serial(primary_key=True)
    dispute = ForeignKey(references=Dispute, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=32)
    actor = ForeignKey(references=User, on_delete=OnDelete.restrict, null=True)
    level = Varchar(length=16)
    from_status = Varchar(length=24, null=True, default=None)
    to_status = Varchar(length=24, null=True, default=None)
    note = Text(default="")
    data = Text(default="{}", help_text="JSON with the action's fields.")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class CaseSequence(Table):
    """Next case number per county and year: an UPDATE ... RETURNING claim."""

    key = Varchar(length=40, unique=True, help_text="<county code>-<year>")
    last = Integer(default=0)


class Supervision(Table):
    """A supervision order (督办) from a level above the holder: instructions, a deadline and a
    required reply. The holder keeps the case. Scoped like the case it is about."""

    dispute = ForeignKey(references=Dispute, on_delete=OnDelete.restrict, index=True)
    county = ForeignKey(references=Jurisdiction, on_delete=OnDelete.restrict)
    township = ForeignKey(references=Jurisdiction, on_delete=OnDelete.restrict)
    village = ForeignKey(references=Jurisdiction, on_delete=OnDelete.restrict)
    grid = ForeignKey(references=Jurisdiction, on_delete=OnDelete.restrict)
    issuer = ForeignKey(
        references=Jurisdiction, on_delete=OnDelete.restrict, help_text="The level above."
    )
    issuer_level = Varchar(length=16)
    issued_by = ForeignKey(references=User, on_delete=OnDelete.restrict, null=True, default=None)
    automatic = Boolean(default=False, help_text="Issued by the scheduler for an overdue case.")
    instructions = Text(default="")
    due_at = Timestamptz()
    created_at = Timestamptz(default=TimestamptzNow())
    replied_at = Timestamptz(null=True, default=None, index=True)
    replied_by = ForeignKey(references=User, on_delete=OnDelete.restrict, null=True, default=None)
    reply = Text(default="")
    overdue_at = Timestamptz(
        null=True, default=None, help_text="When the missing reply was flagged."
    )


class AgreementTerm(Table):
    """One obligation of a mediation agreement, tracked until it is carried out (履行)."""

    dispute = ForeignKey(references=Dispute, on_delete=OnDelete.restrict, index=True)
    position = Integer(default=0)
    text = Varchar(length=500)
    due_on = Date(null=True, default=None)
    state = Varchar(length=12, default="pending", help_text="pending|done|not_done")
    checked_at = Timestamptz(null=True, default=None)
    checked_by = ForeignKey(references=User, on_delete=OnDelete.restrict, null=True, default=None)


class DisclosureLog(Table):
    """Append-only: who saw a party's full phone or ID number, when and from where (PIPL).
    Superseded by app/audit's AuditLog, which holds a copy of these rows; no longer written."""

    user = ForeignKey(references=User, on_delete=OnDelete.restrict)
    dispute = ForeignKey(references=Dispute, on_delete=OnDelete.restrict, index=True)
    party = ForeignKey(references=Party, on_delete=OnDelete.restrict)
    fields = Varchar(length=64, help_text="What was shown, e.g. phone,id_number")
    ip = Varchar(length=64, default="")
    user_agent = Varchar(length=200, default="")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class Category(Table, tablename="case_category"):
    """The county's managed list of case categories (app/disputes/categories.py). Each rolls
    up to one category of the national people's-mediation list; a retired one keeps its cases
    and their history but is not offered for new cases."""

    code = Varchar(length=32, unique=True, help_text="What a case's `category` holds.")
    name = Varchar(length=100)
    national = Varchar(length=32, help_text="The national category it rolls up to.")
    parent = Varchar(
        length=32, null=True, default=None, help_text="The code of a broader county category."
    )
    active = Boolean(default=True)
    position = Integer(default=0)
    changed_at = Timestamptz(default=TimestamptzNow())
