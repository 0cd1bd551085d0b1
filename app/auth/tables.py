"""Users and their logins. A login is a row, so logout-everywhere is a delete."""

from piccolo.columns import (
    Boolean,
    ForeignKey,
    OnDelete,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from app.jurisdictions.tables import Jurisdiction

ROLES = ("grid_worker", "village_mediator", "township_officer", "county_officer", "admin")


class User(Table, tablename="app_user"):
    username = Varchar(length=64, unique=True)
    display_name = Varchar(length=100)
    phone = Varchar(length=200, null=True, default=None, help_text="Encrypted (app/crypto.py).")
    role = Varchar(length=32, help_text="|".join(ROLES))
    jurisdiction = ForeignKey(references=Jurisdiction, on_delete=OnDelete.restrict, index=True)
    password_hash = Varchar(length=256)
    active = Boolean(default=True)
    must_change_password = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())


class LoginSession(Table):
    """A browser login (kind 'web', the cookie) or an API bearer token (kind 'api').
    Only the SHA-256 of the secret is stored."""

    token_hash = Varchar(length=64, unique=True)
    kind = Varchar(length=8, default="web")
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_seen_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(index=True)


class LoginFailure(Table):
    """A refused sign-in, counted per account ('account:<username>') and per client address
    ('address:<ip>'). Rows in the database, so every web worker counts the same failures."""

    subject = Varchar(length=160, index=True)
    failed_at = Timestamptz(index=True)
