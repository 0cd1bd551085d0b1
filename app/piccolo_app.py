"""The one Piccolo app: every table of every domain, migrations in the top-level folder."""

from piccolo.conf.apps import AppConfig

from app.settings import REPO_ROOT
from app.tables import ALL_TABLES

APP_CONFIG = AppConfig(
    app_name="pingli",
    migrations_folder_path=str(REPO_ROOT / "migrations"),
    table_classes=list(ALL_TABLES),
    migration_dependencies=[],
    commands=[],
)
