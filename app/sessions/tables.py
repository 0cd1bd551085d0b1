"""Reasoning rooms (评理室), their juror pools (评理员), the sessions booked in them and who sits in
each one.

A session copies its case's county/township/village/grid, so it is scoped like the case. Who
is busy when lives twice: on the session (the room) and on each participant row (a mediator
or juror, keyed by `person`); on PostgreSQL an exclusion constraint on each makes overlaps
impossible (migration "session exclusion constraints"), on SQLite the booking transaction
checks and inserts under the write lock.
"""

from piccolo.columns import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from app.auth.tables import User
from app.disputes.tables import Dispute, Party
from app.jurisdictions.tables import Jurisdiction


class Room(Table):
    name = Varchar(length=100)
    address = Varchar(length=200, default="")
    capacity = Integer(default=30)
    opens_at = Varchar(length=5, default="08:30", help_text="HH:MM, China Standard Time")
    closes_at = Varchar(length=5, default="17:30")
    open_weekdays = Varchar(length=7, default="1234567", help_text="ISO weekdays it opens")
    jurisdiction = ForeignKey(
        references=Jurisdiction, on_delete=OnDelete.restrict, help_text="Owner"
    )
    county = ForeignKey(references=Jurisdiction, on_delete=OnDelete.restrict, index=True)
    township = ForeignKey(references=Jurisdiction, on_delete=OnDelete.restrict, index=True)
    village = ForeignKey(
        references=Jurisdiction, on_delete=OnDelete.restrict, null=True, index=True
    )
    grid = ForeignKey(references=Jurisdiction, on_delete=OnDelete.restrict, null=True, default=None)
    lon = Float(null=True, default=None)
    lat = Float(null=True, default=None)
    active = Boolean(default=True)


class Juror(Table):
    """A person of a village's or township's pool. Not a login: reached by phone (SMS)."""

    name = Varchar(length=100)
    phone = Varchar(length=200, null=True, default=None, help_text="Encrypted (app/crypto.py).")
    kind = Varchar(length=24, help_text="see app/sessions/jurors.py JUROR_KINDS")
    note = Varchar(length=200, default="")
    active = Boolean(default=True)
    jurisdiction = ForeignKey(
        references=Jurisdiction,
        on_delete=OnDelete.restrict,
        help_text="The pool's village or township",
    )
    county = ForeignKey(references=Jurisdiction, on_delete=OnDelete.restrict, index=True)
    township = ForeignKey(references=Jurisdiction, on_delete=OnDelete.restrict, index=True)
    village = ForeignKey(
        references=Jurisdiction, on_delete=OnDelete.restrict, null=True, default=None, index=True
    )
    created_at = Timestamptz(default=TimestamptzNow())


class MediationSession(Table, tablename="mediation_session"):
    """A "let's reason it out" session (评理会) of one case in one room.

    Rescheduling never moves a row: the old one becomes `rescheduled` and a new one `replaces`
    it, so the history of times and rooms is the chain of rows.
    """

    dispute = ForeignKey(references=Dispute, on_delete=OnDelete.restrict, index=True)
    room = ForeignKey(references=Room, on_delete=OnDelete.restrict, index=True)
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    status = Varchar(
        length=16, default="scheduled", index=True, help_text="see app/sessions/states.py"
    )
    public = Boolean(default=True, help_text="Observers welcome (seats from the room's capacity)")
    private_reason = Varchar(length=24, null=True, default=None)
    private_note = Text(default="")
    outcome = Varchar(
        length=16, null=True, default=None, help_text="agreement|no_agreement|adjourned"
    )
    minutes = Text(default="")
    cancel_reason = Text(default="")
    agreement_facts = Text(default="", help_text="Facts and the matters in dispute")
    agreement_terms = Text(default="")
    performance = Text(default="", help_text="How the agreement is carried out")
    performance_deadline = Date(null=True, default=None)
    replaces = ForeignKey(references="self", on_delete=OnDelete.restrict, null=True, default=None)
    county = ForeignKey(references=Jurisdiction, on_delete=OnDelete.restrict, index=True)
    township = ForeignKey(references=Jurisdiction, on_delete=OnDelete.restrict, index=True)
    village = ForeignKey(references=Jurisdiction, on_delete=OnDelete.restrict, index=True)
    grid = ForeignKey(references=Jurisdiction, on_delete=OnDelete.restrict, index=True)
    created_by = ForeignKey(references=User, on_delete=OnDelete.restrict, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    recorded_at = Timestamptz(null=True, default=None, help_text="When the outcome was recorded")


class SessionParticipant(Table):
    """Who sits in a session: mediators (users), jurors, invited parties.

    `person` ("user:<id>", "juror:<id>", "party:<id>") with a copy of the session's times
    and whether it still holds them (`active`) is what the exclusion constraint needs: it may
    not look into another table.
    """

    session = ForeignKey(references=MediationSession, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=8, help_text="mediator|juror|party")
    user = ForeignKey(references=User, on_delete=OnDelete.restrict, null=True, default=None)
    juror = ForeignKey(references=Juror, on_delete=OnDelete.restrict, null=True, default=None)
    party = ForeignKey(references=Party, on_delete=OnDelete.restrict, null=True, default=None)
    name = Varchar(length=100, help_text="As it was when booked")
    person = Varchar(length=32, null=True, default=None)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    active = Boolean(default=True)
    flag = Text(default="", help_text="Why the relation check matters here (shared surname…)")
    no_relation_confirmed_by = ForeignKey(
        references=User, on_delete=OnDelete.restrict, null=True, default=None
    )
    no_relation_confirmed_at = Timestamptz(null=True, default=None)
    attended = Boolean(null=True, default=None)


class CalendarFeed(Table):
    """A private iCalendar address for a room or a mediator. Only the token's SHA-256 is kept:
    the address is shown once, and revoking it is setting revoked_at."""

    token_hash = Varchar(length=64, unique=True)
    room = ForeignKey(references=Room, on_delete=OnDelete.cascade, null=True, default=None)
    mediator = ForeignKey(references=User, on_delete=OnDelete.cascade, null=True, default=None)
    created_by = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)
    last_used_at = Timestamptz(null=True, default=None)
