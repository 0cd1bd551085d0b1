"""Photos of a case: uploaded once however often the phone repeats itself, checked by their
content, cleaned of EXIF, and shown only to those who may see the case."""

import asyncio
import io
import uuid

from PIL import Image

from app.attachments.services import MAX_UPLOAD_BYTES, uploads_dir
from app.attachments.tables import Attachment
from tests.support.photos import GPS_IFD, camera_jpeg, png_with_alpha, webp


def photo_url(case_id: str, photo_id: str | None = None) -> str:
    return f"/api/v1/disputes/{case_id}/photos/{photo_id or uuid.uuid4()}"


async def stored_files(case_id: str) -> list[str]:
    folder = uploads_dir() / case_id
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


async def test_a_photo_is_stored_once_and_a_repeat_gets_the_same_answer(cast):
    case = await cast.log_case("demo-grid")
    api = cast.api["demo-grid"]
    url = photo_url(case["id"])
    data = camera_jpeg()
    first = await api.put(url, content=data, headers={"content-type": "image/jpeg"})
    again = await api.put(url, content=data, headers={"content-type": "image/jpeg"})
    assert first.status_code == 201 and again.status_code == 200
    assert first.json() == again.json()
    assert first.json()["content_type"] == "image/jpeg" and first.json()["width"] == 640
    listed = await api.get(f"/api/v1/disputes/{case['id']}/photos")
    assert [p["id"] for p in listed.json()] == [first.json()["id"]]


async def test_ten_concurrent_uploads_of_one_photo_store_one_attachment(cast):
    case = await cast.log_case("demo-grid")
    api = cast.api["demo-grid"]
    photo_id = str(uuid.uuid4())
    data = camera_jpeg(1200, 900)
    answers = await asyncio.gather(
        *[
            api.put(
                photo_url(case["id"], photo_id),
                content=data,
                headers={"content-type": "image/jpeg"},
            )
            for _ in range(10)
        ]
    )
    assert sorted(a.status_code for a in answers) == [200] * 9 + [201]
    assert len({a.text for a in answers}) == 1
    assert await Attachment.count().where(Attachment.id == uuid.UUID(photo_id)) == 1
    assert len(await stored_files(case["id"])) == 2  # the photo and its thumbnail, once


async def test_the_same_photo_id_with_other_bytes_is_a_conflict_and_leaves_no_file(cast):
    case = await cast.log_case("demo-grid")
    api = cast.api["demo-grid"]
    url = photo_url(case["id"])
    assert (await api.put(url, content=camera_jpeg())).status_code == 201
    files = await stored_files(case["id"])
    r = await api.put(url, content=camera_jpeg(320, 240))
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")
    assert await stored_files(case["id"]) == files


async def test_a_file_that_is_not_an_image_is_refused_whatever_its_header_says(cast):
    case = await cast.log_case("demo-grid")
    api = cast.api["demo-grid"]
    for content in (b"%PDF-1.4 a contract", b"GIF89a\x01\x00\x01\x00", b"<svg onload=alert(1)>"):
        r = await api.put(
            photo_url(case["id"]), content=content, headers={"content-type": "image/jpeg"}
        )
        assert r.status_code == 415, r.text
    assert await stored_files(case["id"]) == []


async def test_a_file_that_only_starts_like_a_jpeg_is_refused_with_422(cast):
    case = await cast.log_case("demo-grid")
    r = await cast.api["demo-grid"].put(
        photo_url(case["id"]), content=b"\xff\xd8\xff\xe0" + b"garbage" * 100
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "photo"


async def test_an_upload_over_the_limit_is_refused_with_413(cast):
    case = await cast.log_case("demo-grid")
    too_big = b"\xff\xd8\xff" + b"\0" * (MAX_UPLOAD_BYTES + 100_000)
    r = await cast.api["demo-grid"].put(photo_url(case["id"]), content=too_big)
    assert r.status_code == 413
    assert await stored_files(case["id"]) == []


async def test_png_and_webp_are_accepted_and_stored_as_jpeg(cast):
    case = await cast.log_case("demo-grid")
    api = cast.api["demo-grid"]
    for data in (png_with_alpha(), webp()):
        r = await api.put(
            photo_url(case["id"]),
            content=data,
            headers={"content-type": "application/octet-stream"},
        )
        assert r.status_code == 201, r.text
        served = await api.get(r.json()["url"])
        assert served.content[:3] == b"\xff\xd8\xff"


async def test_exif_and_the_gps_position_are_stripped_and_the_orientation_applied(cast):
    case = await cast.log_case("demo-grid")
    api = cast.api["demo-grid"]
    original = camera_jpeg(640, 480, orientation=6)  # taken holding the phone upright
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)
    r = await api.put(photo_url(case["id"]), content=original)
    served = await api.get(r.json()["url"])
    image = Image.open(io.BytesIO(served.content))
    assert not image.getexif() and "exif" not in image.info
    assert b"Exif" not in served.content and b"PhoneMaker" not in served.content
    assert image.size == (480, 640)  # the rotation is in the pixels now


async def test_large_photos_are_scaled_down_and_thumbnails_are_small(cast):
    case = await cast.log_case("demo-grid")
    api = cast.api["demo-grid"]
    r = await api.put(photo_url(case["id"]), content=camera_jpeg(3200, 2400, gps=False))
    assert (r.json()["width"], r.json()["height"]) == (1600, 1200)
    thumb = Image.open(io.BytesIO((await api.get(r.json()["thumb_url"])).content))
    assert max(thumb.size) == 320


async def test_photos_are_served_privately_and_only_within_scope(cast):
    case = await cast.log_case("demo-grid")
    r = await cast.api["demo-grid"].put(photo_url(case["id"]), content=camera_jpeg())
    url = r.json()["url"]
    village = await cast.api["demo-village"].get(url)
    assert village.status_code == 200 and village.headers["content-type"] == "image/jpeg"
    assert village.headers["cache-control"].startswith("private")
    for path in (url, url + "/thumb"):
        assert (await cast.api["demo-grid-2"].get(path)).status_code == 404
    assert (
        await cast.api["demo-grid-2"].get(f"/api/v1/disputes/{case['id']}/photos")
    ).status_code == 404


async def test_nobody_can_attach_a_photo_to_a_case_out_of_their_scope(cast):
    case = await cast.log_case("demo-grid")
    r = await cast.api["demo-grid-2"].put(photo_url(case["id"]), content=camera_jpeg())
    assert r.status_code == 404
    missing = await cast.api["demo-grid"].put(photo_url(str(uuid.uuid4())), content=camera_jpeg())
    assert missing.status_code == 404


async def test_a_browser_upload_needs_the_csrf_header(cast):
    case = await cast.log_case("demo-grid")
    browser = await cast.browser("demo-grid")
    url = photo_url(case["id"])
    assert (await browser.http.put(url, content=camera_jpeg())).status_code == 403
    ok = await browser.http.put(url, content=camera_jpeg(), headers={"x-csrftoken": browser.csrf})
    assert ok.status_code == 201


async def test_the_case_page_lists_thumbnails_lazily_and_uploads_without_javascript(cast):
    case = await cast.log_case("demo-grid")
    browser = await cast.browser("demo-grid")
    page = await browser.get(f"/disputes/{case['id']}")
    photo_id = page.text.split('name="photo_id" value="')[1].split('"')[0]
    form = {"_csrf_token": browser.csrf, "photo_id": photo_id}
    files = {"photo": ("IMG_0001.jpg", camera_jpeg(), "image/jpeg")}
    for _ in range(2):  # a double tap on "upload"
        r = await browser.http.post(f"/disputes/{case['id']}/photos", data=form, files=files)
        assert r.status_code == 302 and r.headers["location"] == f"/disputes/{case['id']}#photos"
    page = await browser.get(f"/disputes/{case['id']}")
    assert page.text.count('loading="lazy"') == 1
    assert f"/disputes/{case['id']}/photos/{photo_id}/thumb" in page.text
