"""A user's phone is encrypted like a party's or a juror's: the admin pages write tokens,
show it masked, and the migration encrypts rows written in clear before."""

from __future__ import annotations

import importlib
import uuid
from datetime import UTC, datetime

from app import crypto
from app.auth.tables import User


async def test_a_phone_typed_at_the_admin_page_is_stored_encrypted_and_shown_masked(cast):
    admin = await cast.browser("demo-admin")
    username = f"phone-{uuid.uuid4().hex[:6]}"
    r = await admin.post_form(
        "/admin/users",
        {
            "username": username,
            "display_name": "电话加密",
            "phone": "13912340000",
            "role": "grid_worker",
            "jurisdiction": cast.me["demo-grid"]["jurisdiction"]["id"],
            "_csrf_token": admin.csrf,
        },
    )
    assert r.status_code == 200, r.text
    row = (await User.raw("SELECT id, phone FROM app_user WHERE username = {}", username))[0]
    assert crypto.is_token(row["phone"]) and crypto.decrypt(row["phone"]) == "13912340000"
    form = (await admin.get(f"/admin/users/{row['id']}")).text
    assert "13912340000" not in form and "139****0000" in form
    # saved with the phone left empty: the number on file stays
    r = await admin.post_form(
        f"/admin/users/{row['id']}",
        {
            "display_name": "电话加密",
            "phone": "",
            "role": "grid_worker",
            "jurisdiction": cast.me["demo-grid"]["jurisdiction"]["id"],
            "_csrf_token": admin.csrf,
        },
    )
    assert r.status_code == 303
    kept = (await User.raw("SELECT phone FROM app_user WHERE id = {}", row["id"]))[0]["phone"]
    assert crypto.decrypt(kept) == "13912340000"


async def test_the_migration_leaves_no_plain_phone_in_app_user():
    username = f"plain-{uuid.uuid4().hex[:6]}"
    old = await User.select(User.jurisdiction).first()
    await User.raw(
        "INSERT INTO app_user (username, display_name, phone, role, jurisdiction, password_hash,"
        " active, must_change_password, created_at)"
        " VALUES ({}, '旧用户', '13800001111', 'grid_worker', {}, 'x', false, false, {})",
        username,
        old["jurisdiction"],
        datetime(2026, 1, 1, tzinfo=UTC),
    )
    migration = importlib.import_module(
        "migrations.pingli_2026_12_06t21_10_42_countyadmin_seed_categories_user_phones"
    )
    manager = await migration.forwards()
    for step in manager.raw:
        await step()
    phones = [r["phone"] for r in await User.raw("SELECT phone FROM app_user") if r["phone"]]
    assert phones and all(crypto.is_token(p) for p in phones)
    mine = (await User.raw("SELECT phone FROM app_user WHERE username = {}", username))[0]
    assert crypto.decrypt(mine["phone"]) == "13800001111"
