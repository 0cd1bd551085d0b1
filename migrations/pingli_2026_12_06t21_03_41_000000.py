"""Repeat-case alerts raised before the earlier case's place was kept (issue 14, finding 1).

Their stored parameters gain `earlier_area` (the earlier case's county/township/village/grid,
from the case the alert links besides its own), so that each reader is told the earlier case's
number only when they may see it (app/monitoring/alerts.py). Notices already sent about them
(in-app and web push rows) to a node that may not see the earlier case lose its number and take
the "repeats a case outside your area" text. Data only; both engines.
"""

import json

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T21:03:41:000000"
VERSION = "1.38.0"
DESCRIPTION = "repeat alerts: keep the earlier case's place; scrub notices that named it"

LEVELS = ("county", "township", "village", "grid")
ELSEWHERE = "Repeat case: %(case_no)s “%(title)s” repeats a case outside your area."


async def scrub() -> None:
    engine = engine_finder()
    alerts = await engine.run_ddl(
        "SELECT id, dispute, target, target_level, params FROM monitoring_alert "
        "WHERE kind = 'repeat'"
    )
    known: dict[int, tuple[dict, str, int]] = {}
    for alert in alerts:
        params = json.loads(alert["params"] or "{}")
        if "earlier_area" not in params:
            linked = await engine.run_ddl(
                "SELECT d.county, d.township, d.village, d.grid FROM monitoring_alert_case ac "
                "JOIN dispute d ON d.id = ac.dispute "
                f"WHERE ac.alert = {int(alert['id'])} AND ac.dispute <> '{alert['dispute']}' "
                "ORDER BY ac.id LIMIT 1"
            )
            params["earlier_area"] = {lv: linked[0][lv] for lv in LEVELS} if linked else {}
            text = json.dumps(params, ensure_ascii=False).replace("'", "''")
            await engine.run_ddl(
                f"UPDATE monitoring_alert SET params = '{text}' WHERE id = {int(alert['id'])}"
            )
        known[int(alert["id"])] = (params, alert["target_level"], alert["target"])
    notices = await engine.run_ddl(
        "SELECT id, payload FROM notification WHERE kind = 'alert_repeat'"
    )
    for notice in notices:
        payload = json.loads(notice["payload"])
        params = payload.get("params", {})
        if "earlier" not in params:
            continue
        alert_id = payload.get("link", "").rsplit("/", 1)[-1]
        found = known.get(int(alert_id)) if alert_id.isdigit() else None
        if found:
            area, level, target = found[0]["earlier_area"], found[1], found[2]
            if area and area.get(level) == target:
                continue  # its staff may see the earlier case
        payload["message"] = ELSEWHERE
        payload["params"] = {"case_no": params.get("case_no"), "title": params.get("title")}
        text = json.dumps(payload, ensure_ascii=False).replace("'", "''")
        await engine.run_ddl(
            f"UPDATE notification SET payload = '{text}' WHERE id = {int(notice['id'])}"
        )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pingli", description=DESCRIPTION)
    manager.add_raw(scrub)
    return manager
