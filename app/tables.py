"""Every Piccolo table, in dependency order. Piccolo's AppConfig and the tests read this list."""

from app.attachments.tables import Attachment
from app.audit.tables import AuditLog
from app.auth.tables import LoginFailure, LoginSession, User
from app.checkins.tables import PatrolCheckin
from app.disputes.tables import (
    AgreementTerm,
    CaseEvent,
    CaseSequence,
    Category,
    DisclosureLog,
    Dispute,
    Party,
    Supervision,
)
from app.imports.tables import LedgerImport
from app.jurisdictions.tables import BoundaryUpload, BoundaryVersion, Jurisdiction
from app.monitoring.tables import (
    Alert,
    AlertCase,
    AlertNote,
    CaseFact,
    MonitoringState,
    Report,
    StatsBucket,
    SweepCase,
    SweepCheckin,
    SweepReport,
)
from app.notify.subscriptions import PushSubscription
from app.notify.tables import Notification, NotificationChoice
from app.open311.tables import Open311Client
from app.pwa.tables import DeviceOutboxEntry
from app.rules.tables import CalendarDay, CalendarYear, LimitRules, RulesVersion
from app.sessions.tables import (
    CalendarFeed,
    Juror,
    MediationSession,
    Room,
    SessionParticipant,
)

ALL_TABLES = (
    Jurisdiction,
    User,
    LoginSession,
    LoginFailure,
    Dispute,
    Party,
    CaseEvent,
    CaseSequence,
    Supervision,
    AgreementTerm,
    DisclosureLog,
    Category,
    AuditLog,
    Notification,
    NotificationChoice,
    Room,
    Juror,
    MediationSession,
    SessionParticipant,
    CalendarFeed,
    PushSubscription,
    Open311Client,
    BoundaryVersion,
    BoundaryUpload,
    Attachment,
    PatrolCheckin,
    CaseFact,
    StatsBucket,
    MonitoringState,
    Alert,
    AlertCase,
    AlertNote,
    SweepReport,
    SweepCase,
    SweepCheckin,
    Report,
    LedgerImport,
    DeviceOutboxEntry,
    CalendarYear,
    CalendarDay,
    RulesVersion,
    LimitRules,
)
