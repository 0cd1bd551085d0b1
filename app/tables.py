"""Every Piccolo table, in dependency order. Piccolo's AppConfig and the tests read this list."""

from app.auth.tables import LoginSession, User
from app.disputes.tables import CaseEvent, CaseSequence, Dispute, Party
from app.jurisdictions.tables import Jurisdiction
from app.notify.subscriptions import PushSubscription
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
    Dispute,
    Party,
    CaseEvent,
    CaseSequence,
    Room,
    Juror,
    MediationSession,
    SessionParticipant,
    CalendarFeed,
    PushSubscription,
)
