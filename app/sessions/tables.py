"""Reasoning rooms (评理室) where public "let's reason it out" sessions are held."""

from piccolo.columns import Boolean, Float, ForeignKey, Integer, OnDelete, Varchar
from piccolo.table import Table

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
