"""Monitoring's own tables. Everything else it reads and never writes.

- CaseFact: one row per case with what the figures need that the case row does not say
  (escalations, on time or late, satisfaction...), derived from the case and its ledger.
- StatsBucket: the figures' counters per day and per month, per area and category, summed from
  the facts, so a dashboard adds up a few hundred rows whatever the number of cases.
- MonitoringState: how far the facts have read the ledger.
- Alert, AlertCase, AlertNote: early warnings, the cases behind them, acknowledgements.
- SweepReport, SweepCase, SweepCheckin: the monthly full-coverage sweep (拉网式排查).
- Report: daily, weekly and monthly reports as issued (the figures frozen as JSON).

Tables that carry county/township/village/grid are scoped by app/auth/scope.py like cases.
"""

from piccolo.columns import (
    UUID,
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
from app.checkins.tables import PatrolCheckin
from app.disputes.tables import Dispute
from app.jurisdictions.tables import Jurisdiction


def _place(null: bool = False) -> dict:
    return {
        "references": Jurisdiction,
        "on_delete": OnDelete.restrict,
        "null": null,
        "default": None,
    }


class CaseFact(Table, tablename="monitoring_case_fact"):
    """What the figures count, per case. Columns named like the case's carry its current value
    (a figure's condition reads the same on either table); the rest come from the ledger."""

    id = UUID(primary_key=True, help_text="The case's id.")
    county = ForeignKey(**_place())
    township = ForeignKey(**_place())
    village = ForeignKey(**_place())
    grid = ForeignKey(**_place())
    category = Varchar(length=32)
    created_at = Timestamptz()
    created_day = Date(index=True, help_text="Day logged, China time: the day the case counts on.")
    created_month = Date(help_text="First day of the month logged.")
    status = Varchar(length=24)
    level = Varchar(length=16)
    due_at = Timestamptz(null=True, default=None, index=True)
    people_involved = Integer(default=2)
    risk_level = Varchar(length=8, default="low")
    logged_level = Varchar(
        length=16, help_text="Where the case was first brought: grid/village, or above (越级)."
    )
    escalations = Integer(default=0)
    hand_backs = Integer(default=0)
    referred = Boolean(default=False)
    resolved = Boolean(default=False, help_text="Its standing resolution is a mediated one (化解).")
    resolved_at = Timestamptz(null=True, default=None)
    resolved_level = Varchar(length=16, null=True, default=None)
    on_time = Boolean(
        null=True, default=None, help_text="Resolved by the last day of the limit then running."
    )
    resolve_days = Float(null=True, default=None, help_text="Days from logging to resolution.")
    followed_up = Boolean(default=False)
    satisfaction = Integer(
        null=True, default=None, help_text="1-5, at the follow-up visit after the resolution."
    )
    applicant_key = Varchar(
        length=32, null=True, default=None, help_text="Hash of the applicant's name and phone."
    )
    place_cell = Varchar(
        length=32, null=True, default=None, help_text="~100 m cell of the GPS point."
    )
    lon = Float(null=True, default=None)
    lat = Float(null=True, default=None)
    repeat_of = UUID(
        null=True, default=None, help_text="An earlier case within a year: same applicant or place."
    )
    last_event = Integer(default=0, help_text="The last ledger event these facts include.")
    needs_rules = Boolean(
        default=True, index=True, help_text="Changed since the alert rules last looked."
    )


class StatsBucket(Table, tablename="monitoring_stats"):
    """Counters of the cases logged on a day (span 'day') or in a month (span 'month'), in one
    area (node, at any level) and category. Column names are the figure codes (figures.py)."""

    span = Varchar(length=8, help_text="day|month")
    day = Date(help_text="The day, or the month's first day.")
    node = ForeignKey(**_place())
    node_level = Varchar(length=16)
    county = ForeignKey(**_place(null=True))
    township = ForeignKey(**_place(null=True))
    village = ForeignKey(**_place(null=True))
    grid = ForeignKey(**_place(null=True))
    category = Varchar(length=32)
    new = Integer(default=0)
    open = Integer(default=0)
    overdue = Integer(default=0)
    overdue_resolution = Integer(default=0)
    overdue_follow_up = Integer(default=0)
    escalated = Integer(default=0)
    referred = Integer(default=0)
    skip_level = Integer(default=0)
    repeat = Integer(default=0)
    group_dispute = Integer(default=0)
    high_risk = Integer(default=0)
    resolved = Integer(default=0)
    resolved_village = Integer(default=0)
    on_time = Integer(default=0)
    followed_up = Integer(default=0)
    rated = Integer(default=0)
    satisfaction_sum = Integer(default=0)
    resolved_by_village = Integer(default=0)
    resolved_by_township = Integer(default=0)
    resolved_by_county = Integer(default=0)
    days_village_sum = Float(default=0.0)
    days_township_sum = Float(default=0.0)
    days_county_sum = Float(default=0.0)


class MonitoringState(Table, tablename="monitoring_state"):
    key = Varchar(length=32, unique=True)
    event_id = Integer(default=0, help_text="Ledger events up to this id are in the facts.")
    as_of = Timestamptz(
        null=True, default=None, help_text="The moment 'overdue' was last judged at."
    )


class Alert(Table, tablename="monitoring_alert"):
    """An early warning, raised once (dedupe_key) to the level that must act on it."""

    kind = Varchar(length=16, help_text="group|high_risk|repeat|cluster|bouncing")
    dedupe_key = Varchar(length=200, unique=True)
    dispute = ForeignKey(references=Dispute, on_delete=OnDelete.restrict, null=True, default=None)
    target = ForeignKey(**_place(), help_text="The node alerted.")
    target_level = Varchar(length=16)
    county = ForeignKey(**_place(null=True), index=True)
    township = ForeignKey(**_place(null=True), index=True)
    village = ForeignKey(**_place(null=True))
    grid = ForeignKey(**_place(null=True))
    params = Text(default="{}", help_text="JSON: case number, title, counts... for the message.")
    raised_at = Timestamptz(default=TimestamptzNow(), index=True)
    acknowledged_at = Timestamptz(null=True, default=None)
    acknowledged_by = ForeignKey(
        references=User, on_delete=OnDelete.restrict, null=True, default=None
    )


class AlertCase(Table, tablename="monitoring_alert_case"):
    alert = ForeignKey(references=Alert, on_delete=OnDelete.cascade, index=True)
    dispute = ForeignKey(references=Dispute, on_delete=OnDelete.restrict, index=True)


class AlertNote(Table, tablename="monitoring_alert_note"):
    """Append-only: who said what about an alert, and when; the first one acknowledges it."""

    alert = ForeignKey(references=Alert, on_delete=OnDelete.restrict, index=True)
    user = ForeignKey(references=User, on_delete=OnDelete.restrict)
    note = Text()
    acknowledges = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())


class SweepReport(Table, tablename="monitoring_sweep"):
    """A grid's monthly sweep: the cases found, or an explicit "none found"."""

    county = ForeignKey(**_place(), index=True)
    township = ForeignKey(**_place(), index=True)
    village = ForeignKey(**_place(), index=True)
    grid = ForeignKey(**_place())
    month = Date(help_text="The month's first day.")
    none_found = Boolean(default=False)
    note = Text(default="")
    filed_by = ForeignKey(references=User, on_delete=OnDelete.restrict)
    filed_at = Timestamptz(default=TimestamptzNow())


class SweepCase(Table, tablename="monitoring_sweep_case"):
    sweep = ForeignKey(references=SweepReport, on_delete=OnDelete.cascade, index=True)
    dispute = ForeignKey(references=Dispute, on_delete=OnDelete.restrict)


class SweepCheckin(Table, tablename="monitoring_sweep_checkin"):
    sweep = ForeignKey(references=SweepReport, on_delete=OnDelete.cascade, index=True)
    checkin = ForeignKey(references=PatrolCheckin, on_delete=OnDelete.restrict)


class Report(Table, tablename="monitoring_report"):
    """A report as issued: `body` is the figures as JSON at `issued_at`, never recomputed."""

    jurisdiction = ForeignKey(**_place())
    county = ForeignKey(**_place(null=True), index=True)
    township = ForeignKey(**_place(null=True), index=True)
    village = ForeignKey(**_place(null=True))
    grid = ForeignKey(**_place(null=True))
    kind = Varchar(length=8, help_text="daily|weekly|monthly")
    period_start = Date()
    period_end = Date(help_text="Inclusive.")
    issued_at = Timestamptz()
    body = Text(help_text="JSON snapshot of the figures.")
