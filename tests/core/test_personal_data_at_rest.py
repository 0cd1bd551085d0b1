"""Phones and ID numbers are encrypted in the database, shown whole only to a case's holder who
asks, masked everywhere else, and survive a key rotation."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet, MultiFernet

from app import crypto
from app.auth.tables import User
from app.disputes.tables import Party
from app.pii_rotation import ENCRYPTED, rotate_all
from app.sessions.tables import Juror
from app.settings import get_settings

PHONE = "13912345678"
ID_NUMBER = "41172619850203123X"
PARTIES = [{"role": "applicant", "name": "孙六", "phone": PHONE, "id_number": ID_NUMBER}]


async def _raw_party(dispute_id: str) -> dict:
    rows = await Party.raw("SELECT phone, id_number FROM party WHERE dispute = {}", dispute_id)
    return rows[0]


async def test_the_database_row_holds_no_plaintext_but_the_holder_who_asks_sees_it(cast):
    case = await cast.log_case("demo-grid", parties=PARTIES)
    row = await _raw_party(case["id"])
    assert PHONE not in str(row) and ID_NUMBER not in str(row) and "5678" not in str(row)
    assert crypto.is_token(row["phone"]) and crypto.is_token(row["id_number"])

    village = await cast.browser("demo-village")
    page = await village.get(f"/disputes/{case['id']}")
    assert PHONE not in page.text and "139****5678" in page.text
    shown = await village.post_form(
        f"/disputes/{case['id']}/parties/0/reveal", {"_csrf_token": village.csrf}, htmx=True
    )
    assert PHONE in shown.text and ID_NUMBER in shown.text


async def test_lists_and_the_case_file_show_the_numbers_masked(cast):
    case = await cast.log_case("demo-grid", title="加密列表核对", parties=PARTIES)
    village = await cast.browser("demo-village")
    for url in ("/disputes?q=加密列表核对", f"/disputes/{case['id']}/file", "/"):
        text = (await village.get(url)).text
        assert PHONE not in text and ID_NUMBER not in text, url
    listed = await cast.api["demo-village"].get("/api/v1/disputes", params={"q": "加密列表核对"})
    assert case["id"] in listed.text and PHONE not in listed.text
    assert (
        "139****5678" in (await cast.api["demo-village"].get(f"/api/v1/disputes/{case['id']}")).text
    )


async def test_the_demo_seed_writes_encrypted_rows():
    rows = await Party.select(Party.phone, Party.id_number).limit(200)
    assert rows and all(
        crypto.is_token(r["phone"]) and crypto.is_token(r["id_number"]) for r in rows
    )


async def test_a_jurors_phone_is_encrypted_and_listed_masked(cast):
    village = await cast.browser("demo-village")
    r = await village.post_form(
        "/jurors",
        {
            "name": "钱律师",
            "kind": "legal_adviser",
            "phone": "13655556666",
            "_csrf_token": village.csrf,
        },
    )
    assert r.status_code in (302, 303), r.text
    stored = await Juror.select(Juror.id, Juror.phone).where(Juror.name == "钱律师").first()
    assert crypto.is_token(stored["phone"]) and crypto.decrypt(stored["phone"]) == "13655556666"
    # found by name: the list shows 20 a page, and other tests add jurors to this village
    listing = (await village.get("/jurors", params={"q": "钱律师"})).text
    assert "钱律师" in listing
    assert "13655556666" not in listing and "136****6666" in listing
    form = (await village.get(f"/jurors/{stored['id']}/edit")).text
    assert "13655556666" not in form and "136****6666" in form
    # saving the form with the phone left empty keeps the number
    r = await village.post_form(
        f"/jurors/{stored['id']}",
        {"name": "钱律师", "kind": "legal_adviser", "phone": "", "_csrf_token": village.csrf},
    )
    kept = await Juror.select(Juror.phone).where(Juror.id == stored["id"]).first()
    assert crypto.decrypt(kept["phone"]) == "13655556666"


@pytest.fixture
async def new_key_first(monkeypatch):
    """PINGLI_DATA_KEY with a new key in front of the current one, as the README's rotation
    steps say; the keys are put back (and the rows rotated back) afterwards."""
    old = ",".join(get_settings().data_keys)
    new = Fernet.generate_key().decode()

    def use(keys: str) -> None:
        monkeypatch.setenv("PINGLI_DATA_KEY", keys)
        get_settings.cache_clear()
        crypto.reset()

    use(f"{new},{old}")
    yield new
    use(f"{old},{new}")
    await rotate_all()


async def test_rotating_keys_rewrites_every_number_under_the_new_key(cast, new_key_first):
    case = await cast.log_case("demo-grid", parties=PARTIES)
    user = await User.select(User.id).where(User.username == "demo-grid").first()
    await User.raw(
        "UPDATE app_user SET phone = {} WHERE id = {}", "13511112222", user["id"]
    )  # a row from before encryption
    done = await rotate_all()
    assert done["party"] >= 1 and done["app_user"] >= 1
    only_new = MultiFernet([Fernet(new_key_first.encode())])
    for table, names in ENCRYPTED:
        for row in await table.select(*[table._meta.get_column_by_name(n) for n in names]):
            for name in names:
                if row[name]:
                    only_new.decrypt(row[name].encode())  # raises if any row kept the old key
    row = await _raw_party(case["id"])
    assert only_new.decrypt(row["phone"].encode()).decode() == PHONE
    stored = await User.select(User.phone).where(User.id == user["id"]).first()
    assert crypto.decrypt(stored["phone"]) == "13511112222"
    await User.update({User.phone: None}).where(User.id == user["id"])


async def test_signing_out_empties_the_browsers_http_cache_but_not_its_storage(cast):
    """Photos of a case may sit in the HTTP cache (private, a week); the outbox lives in
    IndexedDB, which "storage" would wipe, unsent cases included."""
    grid = await cast.browser("demo-grid")
    r = await grid.post_form("/logout", {"_csrf_token": grid.csrf})
    assert r.status_code in (302, 303) and r.headers["location"] == "/login"
    assert r.headers["clear-site-data"] == '"cache"'


def test_the_data_dir_and_the_live_database_files_are_their_owner_s_only(engine_name, tmp_path):
    """0700 on the data dir, 0600 on the SQLite file and its -wal/-shm (names, addresses and
    descriptions are in them in clear), as `pingli migrate` and a served app leave them."""
    import os
    import stat
    import subprocess
    import sys

    from app.settings import REPO_ROOT

    data = tmp_path / "data"  # an install from before: made with the usual umask
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    env = dict(os.environ, PINGLI_DATA_DIR=str(data))
    if engine_name == "sqlite":
        env.pop("PINGLI_DATABASE_URL")  # the default: <data dir>/pingli.db
        for name in ("pingli.db", "pingli.db-wal", "pingli.db-shm"):
            (data / name).touch()
            (data / name).chmod(0o644)
    old = os.umask(0o022)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "app.cli", "migrate"],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        os.umask(old)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    if engine_name == "sqlite":
        files = [p for p in data.iterdir() if p.name.startswith("pingli.db")]
        assert {p.name for p in files} >= {"pingli.db"}
        assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in files} == {
            p.name: 0o600 for p in files
        }
