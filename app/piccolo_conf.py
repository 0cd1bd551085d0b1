"""Piccolo's configuration module (PICCOLO_CONF points here): the engine comes from settings."""

from piccolo.conf.apps import AppRegistry

from app.db import engine_from_url
from app.settings import get_settings

DB = engine_from_url(get_settings().database_url)

APP_REGISTRY = AppRegistry(apps=["app.piccolo_app"])
