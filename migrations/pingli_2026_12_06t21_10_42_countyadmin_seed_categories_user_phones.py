"""County admin (issue 17): the managed list of categories seeded with the nine of the first
release and where each rolls up on the national people's-mediation list; and the phones of
users encrypted like every personal number (the user admin page wrote them in clear before).
"""

from datetime import UTC, datetime

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-06T21:10:42:000000"
VERSION = "1.38.0"
DESCRIPTION = "countyadmin: seed categories, encrypt user phones"

SEED = (  # code, name (the msgid of its label), national category
    ("land", "Land and boundaries", "forest_land"),
    ("neighbours", "Neighbours", "neighbourhood"),
    ("marriage_family", "Marriage and family", "marriage_family"),
    ("debt", "Debts", "contract"),
    ("wages", "Unpaid wages", "labour"),
    ("land_acquisition", "Land acquisition and demolition", "land_acquisition"),
    ("environment", "Environment", "environment"),
    ("property_management", "Property management", "property_management"),
    ("other", "Other", "other"),
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pingli", description=DESCRIPTION)

    async def run():
        from app.auth.tables import User
        from app.disputes.tables import Category
        from app.pii_rotation import _rotate_table

        now = datetime.now(UTC)
        if not await Category.exists():
            await Category.insert(
                *[
                    Category(code=c, name=n, national=nat, active=True, position=i, changed_at=now)
                    for i, (c, n, nat) in enumerate(SEED)
                ]
            )
        await _rotate_table(User, ("phone",))  # plaintext phones → tokens (tokens re-encrypted)

    manager.add_raw(run)
    return manager
