import re
from pathlib import Path

from app.i18n_catalogs import extract
from app.settings import SETTINGS


async def test_healthz_answers_ok_once_the_database_is_reachable(client):
    r = await client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


async def test_health_reads_a_real_table_and_the_deep_check_writes_to_the_data_dir(
    client, monkeypatch, tmp_path
):
    """`SELECT 1` answered while nothing could be read: health reads a table, and `?deep=1`
    writes (rolled back) to the database and to the data dir, which here is not writable."""
    from dataclasses import replace

    from app import db, settings

    assert (await client.get("/healthz", params={"deep": "1"})).json() == {"status": "ok"}
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the data dir should be: nothing can be written under it")
    changed = replace(settings.get_settings(), data_dir=blocked / "data")
    monkeypatch.setattr(settings, "get_settings", lambda: changed)
    assert (await client.get("/healthz")).status_code == 200  # the database still reads
    deep = await client.get("/healthz", params={"deep": "1"})
    assert deep.status_code == 503 and deep.json() == {"status": "unavailable"}
    monkeypatch.undo()

    await db.engine().run_ddl('ALTER TABLE "migration" RENAME TO "migration_away"')
    try:
        for params in ({}, {"deep": "1"}):
            r = await client.get("/healthz", params=params)
            assert r.status_code == 503 and r.json() == {"status": "unavailable"}
    finally:
        await db.engine().run_ddl('ALTER TABLE "migration_away" RENAME TO "migration"')
    assert (await client.get("/healthz")).status_code == 200


async def test_the_openapi_schema_is_served(client):
    r = await client.get("/schema/openapi.json")
    assert r.status_code == 200
    assert "/api/v1/disputes" in r.json()["paths"]
    # the description as YAML, and no browsable viewer that would load scripts from a CDN
    yaml = await client.get("/schema")
    assert yaml.status_code == 200 and "/api/v1/disputes:" in yaml.text
    assert "cdn" not in yaml.text.lower()
    assert (await client.get("/schema/swagger")).status_code == 404


async def test_pages_speak_chinese_by_default_and_english_on_request(client):
    zh = await client.get("/login")
    assert 'lang="zh-Hans"' in zh.text and "登录" in zh.text
    switched = await client.get("/lang/en?next=/login")
    assert switched.status_code == 302 and switched.headers["location"] == "/login"
    en = await client.get("/login")
    assert 'lang="en"' in en.text and "Sign in" in en.text


async def test_the_language_switch_never_redirects_off_site(client):
    r = await client.get("/lang/en?next=//evil.example/")
    assert r.headers["location"] == "/"


def test_every_user_facing_string_has_a_chinese_translation():
    from app.i18n import translations

    zh = translations("zh_Hans")
    missing = []
    for domain, messages in extract().items():
        for msgid, where in messages.items():
            singular = msgid if isinstance(msgid, str) else msgid[0]
            text = (
                zh.ugettext(singular)
                if isinstance(msgid, str)
                else zh.ungettext(msgid[0], msgid[1], 1)
            )
            if text == singular or not text:
                missing.append(f"{domain}: {singular!r} ({where[0]})")
            placeholders = set(re.findall(r"%\((\w+)\)s", singular))
            if placeholders != set(re.findall(r"%\((\w+)\)s", text)):
                missing.append(f"{domain}: {singular!r} placeholders differ in {text!r}")
    assert not missing, "run `make messages` and translate:\n" + "\n".join(missing)


def test_the_readme_documents_every_setting():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    undocumented = [s.env for s in SETTINGS if f"`{s.env}`" not in readme]
    assert not undocumented, f"README.md does not document: {undocumented}"


async def test_health_asked_many_times_at_once_reads_the_database_once_and_answers_all(
    client, monkeypatch
):
    """Monitors and load balancers ask together: they share the check in flight, each gets
    the full answer with the security headers, and a failing database still answers 503."""
    import asyncio

    from app import health

    reads = 0
    real_read = health._read

    async def slow_read() -> None:
        nonlocal reads
        reads += 1
        await asyncio.sleep(0.05)
        await real_read()

    monkeypatch.setattr(health, "_read", slow_read)
    answers = await asyncio.gather(*(client.get("/healthz") for _ in range(20)))
    assert [a.status_code for a in answers] == [200] * 20
    assert all(a.json() == {"status": "ok"} for a in answers)
    assert all(a.headers["x-content-type-options"] == "nosniff" for a in answers)
    assert all(a.headers["cache-control"] == "no-store" for a in answers)
    assert reads < 5  # one check for the lot (the client may not send all twenty at once)

    async def failing_read() -> None:
        raise RuntimeError("the database is away")

    monkeypatch.setattr(health, "_read", failing_read)
    r = await client.get("/healthz")
    assert r.status_code == 503 and r.json() == {"status": "unavailable"}
