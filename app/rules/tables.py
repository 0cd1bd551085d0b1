"""The holiday calendar and the versioned time limits."""

from piccolo.columns import Boolean, Date, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from app.auth.tables import User
from app.jurisdictions.tables import Jurisdiction

DAY_KINDS = ("holiday", "workday")


class CalendarYear(Table, tablename="calendar_year"):
    """A year whose official calendar is known. A working-day limit that reaches a year
    without a row is provisional (weekdays work, weekends rest, until the year is entered)."""

    year = Integer(unique=True)
    source = Varchar(length=16, default="package", help_text="package|county")
    updated_at = Timestamptz(default=TimestamptzNow())
    updated_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, default=None)


class CalendarDay(Table, tablename="calendar_day"):
    """A day that is not what its weekday says: a public holiday, or a weekend make-up
    working day (调休). Every other day of a known year works Monday to Friday."""

    day = Date(unique=True)
    year = Integer(index=True)
    kind = Varchar(length=8, help_text="|".join(DAY_KINDS))
    name = Varchar(length=64, default="")


class RulesVersion(Table, tablename="rules_version"):
    """One row. `version` goes up with every change of the calendar or of a county's limits,
    so every process reloads its copy at its next request; `recomputed` is the version whose
    running deadlines were last recomputed (the job's claim)."""

    version = Integer(default=0)
    recomputed = Integer(default=0)


class LimitRules(Table, tablename="limit_rules"):
    """A county's time limits and attempts, one row per version (never edited). A case keeps
    the version in force when it was logged (Dispute.limits_version) unless the administrator
    applied a newer one to running cases."""

    county = ForeignKey(references=Jurisdiction, on_delete=OnDelete.restrict, index=True)
    version = Integer()
    rules = Text(help_text="JSON: the limits of app/rules/limits.py, with per-category overrides")
    applied_to_running = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
    created_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, default=None)


BASEMAP_KINDS = ("none", "tianditu", "xyz")


class BaseMapSetting(Table, tablename="basemap_setting"):
    """A county's base map, chosen by its administrator at /admin/basemap (one row per county,
    changed in place; every change is an audit entry). No row: the PINGLI_TILE_* /
    PINGLI_TIANDITU_KEY defaults."""

    county = ForeignKey(references=Jurisdiction, on_delete=OnDelete.restrict, unique=True)
    kind = Varchar(length=16, default="none", help_text="|".join(BASEMAP_KINDS))
    url = Varchar(length=500, default="", help_text="xyz: the tile URL template")
    subdomains = Varchar(length=16, default="", help_text="xyz: what {s} stands for, e.g. 1234")
    gcj02 = Boolean(default=False, help_text="xyz: the tiles are GCJ-02 (AMap, Tencent)")
    tianditu_key = Varchar(length=64, default="", help_text="tianditu: the browser key (tk)")
    attribution = Varchar(length=200, default="")
    updated_at = Timestamptz(default=TimestamptzNow())
    updated_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, default=None)
