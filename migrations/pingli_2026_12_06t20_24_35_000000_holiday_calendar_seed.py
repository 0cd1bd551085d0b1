"""The holiday calendar seeded from `chinesecalendar` for every year it knows, and the rules
version row. Idempotent: a year already in calendar_year (entered by the county, or seeded
before) is left as it is, so running it again, or after a package upgrade, adds only new years
(`app/rules/calendar.py` seed_from_package does the same at `pingli migrate`)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-06T20:24:35:000000"
VERSION = "1.38.0"
DESCRIPTION = "holiday calendar seeded from chinesecalendar"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pingli", description=DESCRIPTION)

    async def run():
        from app.rules.seed import seed_from_package

        await seed_from_package()

    manager.add_raw(run)
    return manager
