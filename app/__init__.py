"""Pingli (评理): grid-based dispute mediation."""

import os

# Piccolo finds its engine through this module; set before any table is touched.
os.environ.setdefault("PICCOLO_CONF", "app.piccolo_conf")
