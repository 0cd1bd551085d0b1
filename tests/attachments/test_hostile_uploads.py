"""What an attacker (or a confused phone) uploads: a script named like a photo, a photo with a
script riding in it, a file too large. The type is read from the bytes, every photo is
re-encoded, and a refused upload leaves no file behind."""

import uuid

from app.attachments.services import MAX_UPLOAD_BYTES, uploads_dir
from tests.support.photos import camera_jpeg

PHP = b"<?php system($_GET['c']); ?>"


def stored(case_id: str) -> list[str]:
    folder = uploads_dir() / case_id
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


async def test_a_php_script_renamed_jpg_is_refused_through_the_form_and_the_api(cast):
    case = await cast.log_case("demo-grid")
    browser = await cast.browser("demo-grid")
    form = {"_csrf_token": browser.csrf, "photo_id": str(uuid.uuid4())}
    files = {"photo": ("IMG_0001.jpg", PHP, "image/jpeg")}
    r = await browser.http.post(f"/disputes/{case['id']}/photos", data=form, files=files)
    assert r.status_code == 415
    api = await cast.api["demo-grid"].put(
        f"/api/v1/disputes/{case['id']}/photos/{uuid.uuid4()}",
        content=PHP,
        headers={"content-type": "image/jpeg"},
    )
    assert api.status_code == 415
    assert api.headers["content-type"].startswith("application/problem+json")
    assert stored(case["id"]) == []


async def test_a_script_hidden_in_a_real_photo_is_not_served_back(cast):
    case = await cast.log_case("demo-grid")
    api = cast.api["demo-grid"]
    polyglot = camera_jpeg() + PHP  # a valid JPEG with a script after its end marker
    r = await api.put(f"/api/v1/disputes/{case['id']}/photos/{uuid.uuid4()}", content=polyglot)
    assert r.status_code == 201, r.text
    served = await api.get(r.json()["url"])
    assert served.status_code == 200 and served.content[:3] == b"\xff\xd8\xff"
    assert b"<?php" not in served.content
    for name in stored(case["id"]):
        assert b"<?php" not in (uploads_dir() / case["id"] / name).read_bytes()


async def test_an_oversized_form_upload_is_refused_with_413_and_writes_nothing(cast):
    case = await cast.log_case("demo-grid")
    browser = await cast.browser("demo-grid")
    form = {"_csrf_token": browser.csrf, "photo_id": str(uuid.uuid4())}
    files = {
        "photo": ("big.jpg", b"\xff\xd8\xff" + b"\0" * (MAX_UPLOAD_BYTES + 200_000), "image/jpeg")
    }
    r = await browser.http.post(f"/disputes/{case['id']}/photos", data=form, files=files)
    assert r.status_code == 413
    assert stored(case["id"]) == []
