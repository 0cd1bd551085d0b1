"""A phone reports the entries waiting in its outbox; the server notices the ones that vanished
from the phone without ever arriving (the browser cleared its storage) and says so until the
worker has seen it."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from app.pwa.tables import DeviceOutboxEntry

SAVED = (datetime.now(UTC) - timedelta(hours=3)).replace(microsecond=0)


def entry(kind: str = "dispute", label: str = "村东水渠堵塞", **more) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "kind": kind,
        "label": label,
        "saved_at": SAVED.isoformat(),
    } | more


def url(device: uuid.UUID | None = None) -> str:
    return f"/api/v1/devices/{device or uuid.uuid4()}/outbox"


async def test_an_entry_that_vanishes_from_the_phone_without_arriving_is_reported_lost(cast):
    api = cast.api["demo-grid"]
    device = url()
    case, checkin = entry(), entry("checkin", "网格巡查")
    first = await api.put(device, json={"entries": [case, checkin]})
    assert first.status_code == 200, first.text
    assert first.json() == {"lost": []}
    # storage cleared: the phone finds its outbox empty and says so
    r = await api.put(device, json={"entries": []})
    lost = r.json()["lost"]
    assert [(x["id"], x["kind"], x["label"]) for x in lost] == [
        (case["id"], "dispute", "村东水渠堵塞"),
        (checkin["id"], "checkin", "网格巡查"),
    ]
    assert datetime.fromisoformat(lost[0]["saved_at"]) == SAVED
    # told again on the next report, until the worker acknowledges
    again = await api.put(device, json={"entries": []})
    assert [x["id"] for x in again.json()["lost"]] == [case["id"], checkin["id"]]
    acked = {"entries": [], "acknowledged": [case["id"], checkin["id"]]}
    assert (await api.put(device, json=acked)).json() == {"lost": []}
    assert (await api.put(device, json={"entries": []})).json() == {"lost": []}


async def test_delivered_and_discarded_entries_are_not_lost(cast):
    api = cast.api["demo-grid"]
    device = url()
    delivered, discarded, waiting = entry(), entry(), entry()
    await api.put(device, json={"entries": [delivered, discarded, waiting]})
    case = await cast.log_case("demo-grid", id=delivered["id"])
    assert case["id"] == delivered["id"]
    r = await api.put(device, json={"entries": [waiting], "discarded": [discarded["id"]]})
    assert r.json() == {"lost": []}
    # the case arrived: nothing is kept about it any more
    assert (
        await DeviceOutboxEntry.count().where(
            DeviceOutboxEntry.client_id == uuid.UUID(delivered["id"])
        )
        == 0
    )


async def test_an_entry_back_on_the_phone_is_no_longer_lost(cast):
    api = cast.api["demo-grid"]
    device = url()
    one = entry()
    await api.put(device, json={"entries": [one]})
    assert len((await api.put(device, json={"entries": []})).json()["lost"]) == 1
    # the outbox file imported: the entry is there again
    assert (await api.put(device, json={"entries": [one]})).json() == {"lost": []}


async def test_each_phone_and_each_worker_has_its_own_record(cast):
    grid, other = cast.api["demo-grid"], cast.api["demo-grid-2"]
    phone_a, phone_b = url(), url()
    one = entry()
    await grid.put(phone_a, json={"entries": [one]})
    # another phone of the same worker, with an empty outbox, lost nothing
    assert (await grid.put(phone_b, json={"entries": []})).json() == {"lost": []}
    # another worker on the same phone neither sees nor loses the first one's entries
    assert (await other.put(phone_a, json={"entries": []})).json() == {"lost": []}
    assert len((await grid.put(phone_a, json={"entries": []})).json()["lost"]) == 1
    await grid.put(phone_a, json={"entries": [], "acknowledged": [one["id"]]})


async def test_reports_sent_at_once_store_each_entry_once(cast):
    api = cast.api["demo-grid"]
    device_id = uuid.uuid4()
    one = entry()
    answers = await asyncio.gather(
        *[api.put(url(device_id), json={"entries": [one]}) for _ in range(4)]
    )
    assert {a.status_code for a in answers} == {200}
    assert await DeviceOutboxEntry.count().where(DeviceOutboxEntry.device_id == device_id) == 1


async def test_bad_reports_are_refused_with_a_problem(cast):
    api = cast.api["demo-grid"]
    for body, field in (
        ({"entries": [entry(kind="photo")]}, "entries[0].kind"),
        ({"entries": [entry(label="长" * 121)]}, "entries[0].label"),
        ({"entries": [entry(saved_at="昨天")]}, "entries[0].saved_at"),
        ({"entries": [entry()] * 501}, "entries"),
        ({"entries": [], "discarded": ["not-a-uuid"]}, "discarded[0]"),
    ):
        r = await api.put(url(), json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in r.json()["errors"]] == [field], r.text
    assert (
        await api.put("/api/v1/devices/phone-1/outbox", json={"entries": []})
    ).status_code == 404


async def test_signing_in_is_needed(cast):
    anonymous = (await cast.browser()).http
    r = await anonymous.put(url(), json={"entries": []})
    assert r.status_code in (401, 403)
