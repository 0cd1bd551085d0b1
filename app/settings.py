"""Every setting comes from the environment, is read once, and is documented here.

The README lists each variable (a test checks that it does). Defaults suit `make run` on a
laptop; production sets PINGLI_DATABASE_URL, PINGLI_SECRET_KEY and PINGLI_HTTPS.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from app import crypto

REPO_ROOT = Path(__file__).resolve().parent.parent
MIN_AUDIT_RETENTION_DAYS = 180


@dataclass(frozen=True)
class Setting:
    env: str
    default: str
    help: str


# The one list of environment variables. Order is the order the README shows them in.
SETTINGS: tuple[Setting, ...] = (
    Setting(
        "PINGLI_DATA_DIR", "./var", "Folder for the SQLite database, uploads, keys and backups."
    ),
    Setting(
        "PINGLI_DATABASE_URL",
        "sqlite:///<data dir>/pingli.db",
        "Database: `sqlite:///path/to/file.db` or `postgresql://user:pass@host:port/db`.",
    ),
    Setting("HOST", "127.0.0.1", "Address `pingli serve` listens on."),
    Setting("PORT", "8000", "Port `pingli serve` listens on."),
    Setting(
        "PINGLI_SECRET_KEY",
        "generated into <data dir>/secret_key",
        "Signs CSRF tokens. Set the same value on every web worker.",
    ),
    Setting(
        "PINGLI_DATA_KEY",
        "generated into <data dir>/data_key",
        "Fernet keys that encrypt phones and ID numbers at rest, comma-separated, newest first: "
        "the first encrypts, all decrypt (rotation: README, Personal data). Back it up apart "
        "from the database.",
    ),
    Setting(
        "PINGLI_LOOKUP_KEY",
        "generated into <data dir>/lookup_key",
        "Keys the fingerprints that compare numbers without reading them (repeat cases). Not "
        "rotated with the data key; after changing it run `pingli refresh-figures --rebuild`.",
    ),
    Setting(
        "PINGLI_AUDIT_RETENTION_DAYS",
        "365",
        "Days the audit log of unmasked views and exports is kept (at least 180; the database "
        "refuses to delete younger entries).",
    ),
    Setting("PINGLI_HTTPS", "0", "1 when served over HTTPS: Secure cookies and HSTS."),
    Setting(
        "PINGLI_SCHEDULER", "1", "1 runs the scheduler inside `pingli serve` (single process only)."
    ),
    Setting(
        "PINGLI_WORKERS",
        "1",
        "Web worker processes for `pingli serve` (then run `pingli scheduler` apart).",
    ),
    Setting(
        "PINGLI_SESSION_IDLE_MINUTES", "480", "A login ends after this long without a request."
    ),
    Setting(
        "PINGLI_SESSION_MAX_HOURS",
        "168",
        "A login ends this long after it began, whatever the use.",
    ),
    Setting(
        "PINGLI_API_TOKEN_DAYS", "30", "Lifetime of a bearer token from POST /api/v1/auth/login."
    ),
    Setting(
        "PINGLI_LOGIN_MAX_FAILURES",
        "5",
        "Wrong passwords for one username from one address within the window before that pair "
        "waits (429) a growing delay (1, 2, 4… minutes) after each further failure.",
    ),
    Setting(
        "PINGLI_LOGIN_MAX_FAILURES_PER_ADDRESS",
        "100",
        "Refused sign-ins from one client address within the window before it waits a growing "
        "delay too; high, since a township office shares one address.",
    ),
    Setting(
        "PINGLI_LOGIN_LOCK_FAILURES",
        "50",
        "Wrong passwords for one username, from all addresses, within the window before the "
        "account pauses everywhere (its owner is told).",
    ),
    Setting(
        "PINGLI_TRUSTED_PROXIES",
        "",
        "Addresses or networks (comma-separated, e.g. `10.0.0.5,10.1.0.0/16`) of the reverse "
        "proxies whose `X-Forwarded-For` gives the client address; none by default.",
    ),
    Setting(
        "PINGLI_LOGIN_WINDOW_MINUTES",
        "15",
        "How long a refused sign-in counts; a pause ends when enough of them are older.",
    ),
    Setting(
        "PINGLI_DEFAULT_LOCALE", "zh_Hans", "Language of the UI when the user has not chosen one."
    ),
    Setting(
        "PINGLI_DB_POOL_SIZE",
        "10",
        "PostgreSQL connections per web worker, and half as many again for statements planned once.",
    ),
    Setting(
        "PINGLI_WORKING_DAYS",
        "0",
        "1 counts every time limit in working days on China's official calendar (holidays and "
        "make-up workdays, 调休); 0 in calendar days.",
    ),
    Setting(
        "PINGLI_ACCEPT_DAYS",
        "3",
        "A level must accept (受理) a case it receives within this many days.",
    ),
    Setting(
        "PINGLI_RESOLVE_DAYS_VILLAGE", "15", "Days a village has to resolve a case once accepted."
    ),
    Setting(
        "PINGLI_RESOLVE_DAYS_TOWNSHIP", "30", "Days a township has to resolve a case once accepted."
    ),
    Setting(
        "PINGLI_RESOLVE_DAYS_COUNTY", "60", "Days the county has to resolve a case once accepted."
    ),
    Setting(
        "PINGLI_FOLLOW_UP_DAYS",
        "15",
        "The follow-up visit (回访) is due this many days after resolution.",
    ),
    Setting(
        "PINGLI_ATTEMPTS_VILLAGE",
        "3",
        "Mediation attempts a village may make before the case must move on.",
    ),
    Setting(
        "PINGLI_ATTEMPTS_TOWNSHIP",
        "3",
        "Mediation attempts a township may make before the case must move on.",
    ),
    Setting(
        "PINGLI_ATTEMPTS_COUNTY",
        "1",
        "Mediation attempts the county may make; then the case is referred or closed as unresolvable.",
    ),
    Setting(
        "PINGLI_OVERDUE_GRACE_HOURS",
        "24",
        "Hours a case may stay overdue before the level above gets a supervision notice (督办).",
    ),
    Setting(
        "PINGLI_DEADLINE_SWEEP_MINUTES",
        "10",
        "How often the scheduler looks for overdue cases and replies.",
    ),
    Setting(
        "PINGLI_SWEEP_DUE_DAY",
        "25",
        "Day of the month by which every grid files its monthly sweep (拉网式排查); from that day the "
        "grids still missing are listed and their workers reminded, once.",
    ),
    Setting(
        "PINGLI_TILE_URL",
        "(none)",
        "The default base map of a county whose administrator chose none at /admin/basemap: an XYZ "
        "tile URL template, e.g. `https://tiles.example.gov.cn/{z}/{x}/{y}.png`. None (and no "
        "PINGLI_TIANDITU_KEY): maps draw boundaries and names on a plain background and request "
        "nothing outside. The tile host is added to the CSP's `img-src`.",
    ),
    Setting(
        "PINGLI_TILE_GCJ02",
        "0",
        "`1` when PINGLI_TILE_URL's tiles are GCJ-02 (AMap, Tencent): points are shifted onto them "
        "at display only; stored points stay WGS84.",
    ),
    Setting(
        "PINGLI_TILE_ATTRIBUTION", "(none)", "Attribution shown on maps with PINGLI_TILE_URL tiles."
    ),
    Setting(
        "PINGLI_TIANDITU_KEY",
        "(none)",
        "A Tianditu (天地图) browser key: the default base map becomes Tianditu's vector map with "
        "labels (vec_w + cva_w, WGS84/CGCS2000-compatible), unless a county chose its own.",
    ),
    Setting(
        "PINGLI_PUSH_CONTACT",
        "mailto:admin@localhost",
        "Who push services may contact about this server's Web Push (the VAPID `sub`): a "
        "`mailto:` or `https:` address. The VAPID keys are generated into <data dir>/vapid_private.pem.",
    ),
    Setting(
        "PINGLI_SMS_WEBHOOK_URL",
        "(none: log only)",
        "The SMS gateway: each SMS is POSTed here as JSON. None: SMS are only logged, with the "
        "number masked.",
    ),
    Setting(
        "PINGLI_SMS_WEBHOOK_BODY",
        '`{"to": "{phone}", "text": "{text}", "id": "{id}"}`',
        "The JSON body sent to the gateway; `{phone}`, `{text}` and `{id}` (the same for every "
        "retry of one SMS, for the gateway to drop duplicates) are filled in inside its strings.",
    ),
    Setting(
        "PINGLI_SMS_WEBHOOK_HEADERS",
        "`{}`",
        'Extra HTTP headers for the gateway, as a JSON object, e.g. `{"Authorization": "Bearer …"}`.',
    ),
    Setting(
        "PINGLI_SMS_PROVIDER",
        "(webhook when PINGLI_SMS_WEBHOOK_URL is set, else log)",
        "`aliyun` (阿里云短信, SendSms signed with the AccessKey), `tencent` (腾讯云短信, API 3.0 "
        "signed with TC3-HMAC-SHA256), `webhook` or `log`. The providers send registered "
        "templates, not free text: see PINGLI_SMS_TEMPLATES.",
    ),
    Setting(
        "PINGLI_SMS_KEY_ID",
        "(none)",
        "The provider's AccessKey ID (Aliyun) or SecretId (Tencent Cloud).",
    ),
    Setting(
        "PINGLI_SMS_KEY_SECRET",
        "(none)",
        "The provider's AccessKey secret (Aliyun) or SecretKey (Tencent Cloud).",
    ),
    Setting(
        "PINGLI_SMS_SIGN_NAME",
        "(none)",
        "The registered signature name (短信签名) printed in every SMS, e.g. `评理`.",
    ),
    Setting(
        "PINGLI_SMS_APP_ID",
        "(none)",
        "Tencent Cloud only: the SmsSdkAppId of the SMS application.",
    ),
    Setting(
        "PINGLI_SMS_REGION",
        "`cn-hangzhou` (Aliyun), `ap-guangzhou` (Tencent)",
        "The provider's region.",
    ),
    Setting(
        "PINGLI_SMS_ENDPOINT",
        "`https://dysmsapi.aliyuncs.com/` or `https://sms.tencentcloudapi.com/`",
        "The provider's API address (a relay or a test double may stand in).",
    ),
    Setting(
        "PINGLI_SMS_TEMPLATES",
        "`{}`",
        "The registered template of each SMS Pingli sends, as JSON: "
        '`{"session_reminder_24h": {"code": "SMS_1234", "params": ["date", "time", "place"]}, '
        '"session_reminder_1h": {…}, "session_cancelled": {…}}`. `params` names the values in '
        "the template's order (Tencent) or by name (Aliyun). An SMS without a template is not "
        "sent (the outbox records why).",
    ),
    Setting(
        "PINGLI_WECOM_ROBOT_URL",
        "(none)",
        "A 企业微信 group robot's webhook (`…/cgi-bin/webhook/send?key=…`): alerts and overdue "
        "notices for the county's officers are posted there as markdown.",
    ),
    Setting(
        "PINGLI_DINGTALK_ROBOT_URL",
        "(none)",
        "A 钉钉 group robot's webhook (`…/robot/send?access_token=…`), for the same notices.",
    ),
    Setting(
        "PINGLI_DINGTALK_ROBOT_SECRET",
        "(none)",
        "The robot's signing secret (加签, `SEC…`): each post is signed with it, as DingTalk asks.",
    ),
    Setting(
        "PINGLI_PUBLIC_URL",
        "(none)",
        "The address people open Pingli at (e.g. `https://pingli.example.gov.cn`), for the links "
        "in robot messages; without it they name the page's path only.",
    ),
    Setting(
        "PINGLI_MAX_UPLOAD_MB",
        "12",
        "Largest photo accepted, in MB (a camera file sent without JavaScript); a larger upload is "
        "refused with 413 before it is read or stored.",
    ),
)


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class ChannelSettings:
    """The SMS providers and work-chat robots (app/notify/sms.py, app/notify/robots.py)."""

    sms_provider: str = ""
    sms_key_id: str = ""
    sms_key_secret: str = ""
    sms_sign_name: str = ""
    sms_app_id: str = ""
    sms_region: str = ""
    sms_endpoint: str = ""
    sms_templates: str = "{}"
    wecom_robot_url: str = ""
    dingtalk_robot_url: str = ""
    dingtalk_robot_secret: str = ""
    public_url: str = ""


def _channels() -> ChannelSettings:
    provider = _env("PINGLI_SMS_PROVIDER", "")
    if provider not in ("", "log", "webhook", "aliyun", "tencent"):
        raise ValueError(
            f"PINGLI_SMS_PROVIDER must be aliyun, tencent, webhook or log: {provider!r}"
        )
    return ChannelSettings(
        sms_provider=provider,
        sms_key_id=_env("PINGLI_SMS_KEY_ID", ""),
        sms_key_secret=_env("PINGLI_SMS_KEY_SECRET", ""),
        sms_sign_name=_env("PINGLI_SMS_SIGN_NAME", ""),
        sms_app_id=_env("PINGLI_SMS_APP_ID", ""),
        sms_region=_env("PINGLI_SMS_REGION", ""),
        sms_endpoint=_env("PINGLI_SMS_ENDPOINT", ""),
        sms_templates=_json_setting("PINGLI_SMS_TEMPLATES", "{}", dict),
        wecom_robot_url=_env("PINGLI_WECOM_ROBOT_URL", ""),
        dingtalk_robot_url=_env("PINGLI_DINGTALK_ROBOT_URL", ""),
        dingtalk_robot_secret=_env("PINGLI_DINGTALK_ROBOT_SECRET", ""),
        public_url=_env("PINGLI_PUBLIC_URL", "").rstrip("/"),
    )


@dataclass(frozen=True)
class CaseLimits:
    """Time limits and the mediation ladder ("331": village 3, township 3, county 1)."""

    working_days: bool = False
    """Count days on China's official working calendar instead of the plain calendar."""
    accept_days: int = 3
    """Days to accept a case, at whichever level receives it."""
    resolve_days: dict[str, int] = field(
        default_factory=lambda: {"village": 15, "township": 30, "county": 60}
    )
    """Days to resolve a case once accepted, per level."""
    follow_up_days: int = 15
    """Days after resolution that the follow-up visit falls due."""
    attempts: dict[str, int] = field(
        default_factory=lambda: {"village": 3, "township": 3, "county": 1}
    )
    """Mediation attempts per level before the case must move on."""
    overdue_grace_hours: int = 24
    """How long a case may be overdue before the level above is told to supervise it."""


SMS_WEBHOOK_BODY = '{"to": "{phone}", "text": "{text}", "id": "{id}"}'


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    host: str
    port: int
    secret_key: str
    https: bool
    run_scheduler: bool
    workers: int
    session_idle_minutes: int
    session_max_hours: int
    api_token_days: int
    default_locale: str
    db_pool_size: int
    limits: CaseLimits = field(default_factory=CaseLimits)
    deadline_sweep_minutes: int = 10
    sweep_due_day: int = 25
    extra: dict[str, str] = field(default_factory=dict)
    tile_url: str = ""
    tile_attribution: str = ""
    tile_gcj02: bool = False
    tianditu_key: str = ""
    data_keys: tuple[str, ...] = ()
    lookup_key: str = ""
    audit_retention_days: int = 365
    push_contact: str = "mailto:admin@localhost"
    sms_webhook_url: str = ""
    sms_webhook_body: str = SMS_WEBHOOK_BODY
    sms_webhook_headers: str = "{}"
    channels: ChannelSettings = field(default_factory=ChannelSettings)
    login_max_failures: int = 5
    login_max_failures_per_address: int = 100
    login_lock_failures: int = 50
    login_window_minutes: int = 15
    trusted_proxies: tuple[str, ...] = ()
    max_upload_mb: int = 12

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))


def _secret_key(data_dir: Path) -> str:
    """Use PINGLI_SECRET_KEY, else a key generated once and kept in the data dir."""
    explicit = os.environ.get("PINGLI_SECRET_KEY")
    if explicit:
        return explicit
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _json_setting(name: str, default: str, kind: type) -> str:
    """A setting holding JSON: checked at start-up, so a typo stops the server with its name
    instead of failing every SMS later."""
    value = _env(name, default)
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    if not isinstance(parsed, kind):
        raise ValueError(f"{name} must be a JSON {kind.__name__}: {value!r}")
    return value


def _private_dir(path: Path) -> Path:
    """The data dir (the database, keys, backups, photos): its owner's only (0700)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.stat().st_mode & 0o077:
        try:
            path.chmod(0o700)
        except PermissionError:  # not ours to change: say so, and carry on
            logging.getLogger("pingli").warning(
                "the data dir %s is readable by others: make it 0700", path
            )
    return path


def load_settings() -> Settings:
    data_dir = _private_dir(Path(_env("PINGLI_DATA_DIR", str(REPO_ROOT / "var"))).resolve())
    database_url = _env("PINGLI_DATABASE_URL", f"sqlite:///{data_dir / 'pingli.db'}")
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        host=_env("HOST", "127.0.0.1"),
        port=int(_env("PORT", "8000")),
        secret_key=_secret_key(data_dir),
        https=_env("PINGLI_HTTPS", "0") == "1",
        run_scheduler=_env("PINGLI_SCHEDULER", "1") == "1",
        workers=int(_env("PINGLI_WORKERS", "1")),
        session_idle_minutes=int(_env("PINGLI_SESSION_IDLE_MINUTES", "480")),
        session_max_hours=int(_env("PINGLI_SESSION_MAX_HOURS", "168")),
        api_token_days=int(_env("PINGLI_API_TOKEN_DAYS", "30")),
        default_locale=_env("PINGLI_DEFAULT_LOCALE", "zh_Hans"),
        db_pool_size=int(_env("PINGLI_DB_POOL_SIZE", "10")),
        limits=CaseLimits(
            working_days=_env("PINGLI_WORKING_DAYS", "0") == "1",
            accept_days=int(_env("PINGLI_ACCEPT_DAYS", "3")),
            resolve_days={
                level: int(_env(f"PINGLI_RESOLVE_DAYS_{level.upper()}", default))
                for level, default in (("village", "15"), ("township", "30"), ("county", "60"))
            },
            follow_up_days=int(_env("PINGLI_FOLLOW_UP_DAYS", "15")),
            attempts={
                level: int(_env(f"PINGLI_ATTEMPTS_{level.upper()}", default))
                for level, default in (("village", "3"), ("township", "3"), ("county", "1"))
            },
            overdue_grace_hours=int(_env("PINGLI_OVERDUE_GRACE_HOURS", "24")),
        ),
        deadline_sweep_minutes=int(_env("PINGLI_DEADLINE_SWEEP_MINUTES", "10")),
        sweep_due_day=min(max(int(_env("PINGLI_SWEEP_DUE_DAY", "25")), 1), 28),
        tile_url=_env("PINGLI_TILE_URL", ""),
        tile_attribution=_env("PINGLI_TILE_ATTRIBUTION", ""),
        tile_gcj02=_env("PINGLI_TILE_GCJ02", "0") == "1",
        tianditu_key=_env("PINGLI_TIANDITU_KEY", ""),
        data_keys=tuple(crypto.data_keys(data_dir)),
        lookup_key=crypto.lookup_key(data_dir),
        # PIPL practice and the issue ask for six months at least; the database enforces it too
        audit_retention_days=max(
            int(_env("PINGLI_AUDIT_RETENTION_DAYS", "365")), MIN_AUDIT_RETENTION_DAYS
        ),
        push_contact=_env("PINGLI_PUSH_CONTACT", "mailto:admin@localhost"),
        sms_webhook_url=_env("PINGLI_SMS_WEBHOOK_URL", ""),
        sms_webhook_body=_json_setting("PINGLI_SMS_WEBHOOK_BODY", SMS_WEBHOOK_BODY, dict),
        sms_webhook_headers=_json_setting("PINGLI_SMS_WEBHOOK_HEADERS", "{}", dict),
        channels=_channels(),
        login_max_failures=int(_env("PINGLI_LOGIN_MAX_FAILURES", "5")),
        login_max_failures_per_address=int(_env("PINGLI_LOGIN_MAX_FAILURES_PER_ADDRESS", "100")),
        login_lock_failures=int(_env("PINGLI_LOGIN_LOCK_FAILURES", "50")),
        trusted_proxies=tuple(
            part.strip() for part in _env("PINGLI_TRUSTED_PROXIES", "").split(",") if part.strip()
        ),
        login_window_minutes=int(_env("PINGLI_LOGIN_WINDOW_MINUTES", "15")),
        max_upload_mb=max(1, int(_env("PINGLI_MAX_UPLOAD_MB", "12"))),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
