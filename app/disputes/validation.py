"""Turn a submitted case (JSON body or form) into clean values, or FieldErrors naming each field.

The API and the pages both come through here, so a bad value gets the same message on both.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from app import clock
from app.disputes.errors import FieldErrors
from app.disputes.vocabulary import ACTIVE_CATEGORIES, PARTY_ROLES, RISK_LEVELS, SOURCES
from app.i18n import _

MAX_TITLE = 200
MAX_TEXT = 5000
MAX_PARTIES = 20
MAX_PEOPLE = 100_000


@dataclass(frozen=True)
class NewParty:
    role: str
    name: str
    phone: str | None = None
    id_number: str | None = None
    address: str = ""


@dataclass(frozen=True)
class NewDispute:
    id: uuid.UUID | None
    title: str
    category: str
    description: str = ""
    occurred_at: datetime | None = None
    source: str = "patrol"
    lon: float | None = None
    lat: float | None = None
    gps_accuracy_m: float | None = None
    grid_id: int | None = None
    people_involved: int = 2
    risk_level: str = "low"
    parties: tuple[NewParty, ...] = field(default_factory=tuple)
    # when the worker saved it on the phone (the phone's clock); None: when the server got it
    captured_at: datetime | None = None

    def content(self) -> dict[str, Any]:
        """What decides whether a replay of the same id is 'the same case'."""
        data = asdict(self)
        data.pop("id")
        data["occurred_at"] = self.occurred_at.isoformat() if self.occurred_at else None
        # left out when absent: a case sent before phones sent it hashes as it did then
        if self.captured_at is None:
            data.pop("captured_at")
        else:
            data["captured_at"] = self.captured_at.isoformat()
        return data


def text_field(
    value: Any, field_name: str, errors: dict, *, required: bool = False, limit: int
) -> str:
    if value is None or value == "":
        if required:
            errors[field_name] = _("This field is required.")
        return ""
    if not isinstance(value, str):
        errors[field_name] = _("Must be text.")
        return ""
    value = value.strip()
    if "\x00" in value:
        errors[field_name] = _("Contains a character that is not allowed.")
        return ""
    if required and not value:
        errors[field_name] = _("This field is required.")
    elif len(value) > limit:
        errors[field_name] = _("At most %(n)s characters.", n=limit)
    return value


def number_field(
    value: Any, field_name: str, errors: dict, *, low: float, high: float, integer: bool = False
):
    if value is None or value == "":
        return None
    try:
        if isinstance(value, bool):
            raise ValueError
        number = int(value) if integer else float(value)
        if not integer and number != number:  # NaN
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        errors[field_name] = _("Must be a whole number.") if integer else _("Must be a number.")
        return None
    if not low <= number <= high:
        errors[field_name] = _("Must be between %(low)s and %(high)s.", low=low, high=high)
        return None
    return number


def choice_field(
    value: Any, field_name: str, errors: dict, choices: dict, default: str | None
) -> str:
    if value in (None, "") and default is not None:
        return default
    if value not in choices:
        errors[field_name] = _("Unknown value: %(value)s.", value=str(value)[:40])
        return default or ""
    return value


def datetime_field(value: Any, field_name: str, errors: dict) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        errors[field_name] = _("Must be a date and time like 2026-05-01T09:30+08:00.")
        return None
    if parsed.tzinfo is None:  # a phone's local time: China Standard Time
        from zoneinfo import ZoneInfo

        parsed = parsed.replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    if parsed.year < 1990 or parsed > clock.now() + timedelta(days=366):
        errors[field_name] = _("The date is out of range.")
        return None
    return parsed.astimezone(UTC)


def parse_new_dispute(data: dict[str, Any]) -> NewDispute:
    errors: dict[str, str] = {}
    raw_id = data.get("id")
    dispute_id = None
    if raw_id not in (None, ""):
        try:
            dispute_id = uuid.UUID(str(raw_id))
        except ValueError:
            errors["id"] = _("Must be a UUID.")
    title = text_field(data.get("title"), "title", errors, required=True, limit=MAX_TITLE)
    category = choice_field(data.get("category"), "category", errors, ACTIVE_CATEGORIES, None)
    description = text_field(data.get("description"), "description", errors, limit=MAX_TEXT)
    lon = number_field(data.get("lon"), "lon", errors, low=-180, high=180)
    lat = number_field(data.get("lat"), "lat", errors, low=-90, high=90)
    if (lon is None) != (lat is None) and "lon" not in errors and "lat" not in errors:
        errors["lat" if lat is None else "lon"] = _("Give both longitude and latitude, or neither.")
    accuracy = number_field(
        data.get("gps_accuracy_m"), "gps_accuracy_m", errors, low=0, high=100_000
    )
    grid_id = number_field(
        data.get("grid_id"), "grid_id", errors, low=1, high=2**31 - 1, integer=True
    )
    people = number_field(
        data.get("people_involved"), "people_involved", errors, low=1, high=MAX_PEOPLE, integer=True
    )
    parties = _parties(data.get("parties"), errors)
    captured_at = captured_field(data.get("captured_at"), errors)
    result = NewDispute(
        id=dispute_id,
        title=title,
        category=category,
        description=description,
        occurred_at=datetime_field(data.get("occurred_at"), "occurred_at", errors),
        source=choice_field(data.get("source"), "source", errors, SOURCES, "patrol"),
        lon=lon,
        lat=lat,
        gps_accuracy_m=accuracy,
        grid_id=grid_id,
        people_involved=people if people is not None else 2,
        risk_level=choice_field(data.get("risk_level"), "risk_level", errors, RISK_LEVELS, "low"),
        parties=parties,
        captured_at=captured_at,
    )
    if errors:
        raise FieldErrors(errors)
    return result


CLOCK_SKEW = timedelta(minutes=5)  # a phone's clock may run this far ahead of the server's
MAX_CAPTURE_AGE = timedelta(days=30)


def captured_field(value: Any, errors: dict, now: datetime | None = None) -> datetime | None:
    """When the case was saved on the phone: not in the future beyond a little clock skew,
    nor older than 30 days (a phone's clock that far off, or a case that should be logged
    anew)."""
    captured = datetime_field(value, "captured_at", errors)
    if captured is None:
        return None
    now = now or clock.now()
    if captured > now + CLOCK_SKEW:
        errors["captured_at"] = _(
            "The time the case was saved lies in the future: check the phone's clock."
        )
        return None
    if captured < now - MAX_CAPTURE_AGE:
        errors["captured_at"] = _(
            "The case was saved more than 30 days ago: check the phone's clock, or log it anew."
        )
        return None
    return captured


def _parties(value: Any, errors: dict) -> tuple[NewParty, ...]:
    if value in (None, ""):
        return ()
    if not isinstance(value, list):
        errors["parties"] = _("Must be a list.")
        return ()
    if len(value) > MAX_PARTIES:
        errors["parties"] = _("At most %(n)s parties.", n=MAX_PARTIES)
        return ()
    parties = []
    for i, item in enumerate(value):
        prefix = f"parties[{i}]"
        if not isinstance(item, dict):
            errors[prefix] = _("Must be an object.")
            continue
        name = text_field(item.get("name"), f"{prefix}.name", errors, required=True, limit=100)
        phone = text_field(item.get("phone"), f"{prefix}.phone", errors, limit=32) or None
        if phone and not all(c.isdigit() or c in "+- " for c in phone):
            errors[f"{prefix}.phone"] = _("A phone number has digits only.")
        id_number = (
            text_field(item.get("id_number"), f"{prefix}.id_number", errors, limit=32) or None
        )
        parties.append(
            NewParty(
                role=choice_field(
                    item.get("role"), f"{prefix}.role", errors, PARTY_ROLES, "applicant"
                ),
                name=name,
                phone=phone,
                id_number=id_number,
                address=text_field(item.get("address"), f"{prefix}.address", errors, limit=200),
            )
        )
    return tuple(parties)
