"""Every environment variable the project reads, declared once: its default and what it means.

Code reads a setting through its declaration (`settings.RASA_PORT.value()`), never through
os.environ directly; shell scripts that give a default use the one declared here
(tests/assistant/test_settings.py checks the code, the scripts, `.env.example` and
docs/settings.md against this list). `python -m assistant.settings env` prints `.env.example`,
`python -m assistant.settings docs` prints docs/settings.md.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Optional

DECLARED: Dict[str, Setting] = {}
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    meaning: str
    group: str
    secret: bool = False
    stack_default: Optional[str] = None  # what scripts/stack.sh uses instead, when it differs

    def value(self, environ: Optional[Mapping[str, str]] = None) -> str:
        """The environment's value, stripped; the default when unset or blank."""
        raw = (os.environ if environ is None else environ).get(self.name, "")
        return raw.strip() or self.default

    def number(self, environ: Optional[Mapping[str, str]] = None) -> float:
        return float(self.value(environ))

    def integer(self, environ: Optional[Mapping[str, str]] = None) -> int:
        return int(self.value(environ))

    def path(self, environ: Optional[Mapping[str, str]] = None) -> Path:
        """A file or folder; a relative one is inside the project."""
        found = Path(self.value(environ))
        return found if found.is_absolute() else PROJECT_ROOT / found

    def words(self, environ: Optional[Mapping[str, str]] = None) -> List[str]:
        return self.value(environ).split()


def _declare(
    name: str, default: str, meaning: str, group: str, secret: bool = False, stack_default: Optional[str] = None
) -> Setting:
    setting = DECLARED[name] = Setting(name, default, meaning, group, secret, stack_default)
    return setting


RUN = "Servers"
_ = _declare
RASA_PORT = _("RASA_PORT", "5005", "port of the Rasa server: REST, the widget's socket.io, WeChat", RUN)
RASA_HOST = _(
    "RASA_HOST", "127.0.0.1", "address the Rasa server of `make run` listens on (0.0.0.0: every interface)", RUN
)
ACTION_PORT = _("ACTION_PORT", "5055", "port of the action server", RUN)
ACTION_HOST = _("ACTION_HOST", "127.0.0.1", "address the action server listens on", RUN)
ACTION_SERVER_SECRET = _(
    "ACTION_SERVER_SECRET",
    "",
    "shared secret of the Rasa server and the action server (generated per run when unset)",
    RUN,
    True,
)
ACTION_TIMEOUT_SECONDS = _(
    "ACTION_TIMEOUT_SECONDS", "8", "a custom action slower than this gets the apology with the contacts", RUN
)
ACTION_ENDPOINT_URL = _(
    "ACTION_ENDPOINT_URL", "", "the action servers' URL on the stack (set by scripts/stack.sh)", RUN
)
WEB_PORT = _("WEB_PORT", "8080", "port of the website and the staff console", RUN)
WEB_HOST = _("WEB_HOST", "127.0.0.1", "address the website and the staff console listen on", RUN)
RASA_SOCKET_URL = _(
    "RASA_SOCKET_URL",
    "",
    "the widget's socket.io URL as a browser reaches it (default http://localhost:RASA_PORT)",
    RUN,
)
RASA_SPEEDUPS = _(
    "RASA_SPEEDUPS", "all", "the rasa_patches speed-ups to install: all, none, or their module names", RUN
)
CORS_ORIGINS = _(
    "CORS_ORIGINS", "", "page origins allowed to use the widget's socket, space-separated (empty: the local site)", RUN
)

VISITORS = "Visitors"
VISITOR_RATE_PER_SECOND = _(
    "VISITOR_RATE_PER_SECOND", "2", "messages a second one visitor may send after the burst (0: no limit)", VISITORS
)
VISITOR_RATE_BURST = _("VISITOR_RATE_BURST", "8", "messages one visitor may send at once", VISITORS)
OFFICE_HOURS = _("OFFICE_HOURS", "mon-fri 09:00-18:00", "when customer service answers (docs/leads.md)", VISITORS)
OFFICE_TZ = _("OFFICE_TZ", "Asia/Shanghai", "time zone of OFFICE_HOURS", VISITORS)

STORES = "Conversations"
TRACKER_SQLITE_PATH = _(
    "TRACKER_SQLITE_PATH", "var/tracker.db", "SQLite file of the conversations in `make run`", STORES
)
TRACKER_JOURNAL_PATH = _(
    "TRACKER_JOURNAL_PATH", "var/tracker-journal.db", "events kept on disk while PostgreSQL is unavailable", STORES
)
TRACKER_DB_HOST = _(
    "TRACKER_DB_HOST", "", "PostgreSQL host of the conversations (empty: SQLite)", STORES, stack_default="127.0.0.1"
)
TRACKER_DB_PORT = _("TRACKER_DB_PORT", "5432", "PostgreSQL port", STORES)
TRACKER_DB_NAME = _("TRACKER_DB_NAME", "chuangyiling", "PostgreSQL database of the conversations", STORES)
TRACKER_DB_USER = _("TRACKER_DB_USER", "postgres", "PostgreSQL user", STORES)
TRACKER_DB_PASSWORD = _("TRACKER_DB_PASSWORD", "", "PostgreSQL password", STORES, True)
TRACKER_DB_LOGIN_DB = _("TRACKER_DB_LOGIN_DB", "postgres", "database Rasa logs in to when it creates its own", STORES)
LOCK_REDIS_HOST = _("LOCK_REDIS_HOST", "127.0.0.1", "Redis host of the conversation locks (the stack)", STORES)
LOCK_REDIS_PORT = _("LOCK_REDIS_PORT", "6379", "Redis port", STORES)
LOCK_REDIS_DB = _("LOCK_REDIS_DB", "1", "Redis database number of the locks", STORES)
LOCK_REDIS_PASSWORD = _("LOCK_REDIS_PASSWORD", "", "Redis password", STORES, True)
LOCK_KEY_PREFIX = _("LOCK_KEY_PREFIX", "chuangyiling", "prefix of the lock keys in Redis", STORES)
TICKET_LOCK_LIFETIME = _("TICKET_LOCK_LIFETIME", "10", "seconds a dead replica's conversation lock outlives it", STORES)
BROKER_HOST = _("BROKER_HOST", "127.0.0.1", "RabbitMQ host of the event broker (the stack)", STORES)
BROKER_PORT = _("BROKER_PORT", "5672", "RabbitMQ port", STORES)
BROKER_USER = _("BROKER_USER", "guest", "RabbitMQ user", STORES)
BROKER_PASSWORD = _("BROKER_PASSWORD", "guest", "RabbitMQ password", STORES, True)
BROKER_QUEUE = _("BROKER_QUEUE", "rasa_events", "RabbitMQ queue of the conversation events", STORES)
BROKER_EXCHANGE = _("BROKER_EXCHANGE", "rasa-exchange", "RabbitMQ exchange of the conversation events", STORES)

WIDGET_SESSION_SECRET = _(
    "WIDGET_SESSION_SECRET",
    "",
    "key signing the widget's sessions, the same on every replica (empty: var/widget_session.key)",
    VISITORS,
    True,
)

STAFF = "Staff and leads"
STAFF_USER = _("STAFF_USER", "admin", "the first admin's account name; STAFF_PASSWORD sets its password", STAFF)
TRUSTED_PROXIES = _(
    "TRUSTED_PROXIES",
    "",
    "addresses whose X-Real-IP is believed (the stack's nginx: 127.0.0.1)",
    STAFF,
    stack_default="127.0.0.1",
)
STAFF_PASSWORD = _("STAFF_PASSWORD", "", "password of the staff console (empty: the console is closed)", STAFF, True)
STAFF_SESSION_SECRET = _(
    "STAFF_SESSION_SECRET", "", "key signing staff sessions (empty: random per start)", STAFF, True
)
STAFF_BASE_URL = _(
    "STAFF_BASE_URL", "", "the console's address in notifications (default http://localhost:WEB_PORT)", STAFF
)
LEADS_DATABASE_URL = _("LEADS_DATABASE_URL", "", "SQLAlchemy URL of the leads (empty: var/leads.db)", STAFF, True)
LEADS_WECOM_WEBHOOK = _("LEADS_WECOM_WEBHOOK", "", "WeCom group robot notified of each new lead", STAFF, True)
LEADS_PER_CONVERSATION = _(
    "LEADS_PER_CONVERSATION", "3", "callback requests one conversation may leave (0: no limit)", STAFF
)
LEADS_PER_CONTACT_PER_DAY = _(
    "LEADS_PER_CONTACT_PER_DAY", "3", "requests with one phone number or WeChat ID a day", STAFF
)
LEADS_PER_ADDRESS_PER_DAY = _("LEADS_PER_ADDRESS_PER_DAY", "30", "requests from one address a day", STAFF)
LEADS_FLAG_PER_ADDRESS_PER_HOUR = _(
    "LEADS_FLAG_PER_ADDRESS_PER_HOUR", "5", "beyond this many an hour from one address a request is flagged", STAFF
)
LEADS_FAST_FORM_SECONDS = _("LEADS_FAST_FORM_SECONDS", "4", "a form filled in faster than this is flagged", STAFF)
LEADS_SPOOL_DIR = _("LEADS_SPOOL_DIR", "var/leads-spool", "leads kept on disk while their database is down", STAFF)

TAKEOVER = "A person takes over (docs/takeover.md)"
TAKEOVER_ACCEPT_SECONDS = _(
    "TAKEOVER_ACCEPT_SECONDS", "60", "a waiting visitor gets the contacts when nobody accepts within this", TAKEOVER
)
TAKEOVER_IDLE_SECONDS = _(
    "TAKEOVER_IDLE_SECONDS",
    "600",
    "an agent's conversation goes back to the assistant after the visitor's silence",
    TAKEOVER,
)
TAKEOVER_REDIS_URL = _(
    "TAKEOVER_REDIS_URL",
    "",
    "Redis carrying the console's messages to the replica with the visitor's socket (empty: make run's own)",
    TAKEOVER,
    True,
)
TAKEOVER_RASA_URL = _(
    "TAKEOVER_RASA_URL",
    "",
    "the Rasa server the web app hands takeovers to without Redis (default: RASA_PORT on loopback)",
    TAKEOVER,
)

LEARNING = "Learning from visitors (docs/learning.md)"
STAFF_LABELS_PATH = _(
    "STAFF_LABELS_PATH", "data/nlu/staff_labels.yml", "the training examples staff label in /staff/review", LEARNING
)
LEARNING_DIR = _("LEARNING_DIR", "var/learning", "candidate models, their checks and the previous live model", LEARNING)
LEARNING_EVAL_DIR = _(
    "LEARNING_EVAL_DIR",
    "../shared/eval",
    "public development sets and run_eval.py, a gate of 更新模型 (skipped when absent)",
    LEARNING,
)
LEARNING_RASA_URLS = _(
    "LEARNING_RASA_URLS",
    "",
    "Rasa servers a new model is loaded into, one at a time (default http://127.0.0.1:RASA_PORT)",
    LEARNING,
)

OPERATIONS = "Operations and privacy (docs/production.md, docs/deploy.md)"
METRICS_TOKEN = _(
    "METRICS_TOKEN",
    "",
    "bearer token for /metrics and /ready from another host (empty: loopback only)",
    OPERATIONS,
    True,
)
RETENTION_DAYS = _("RETENTION_DAYS", "180", "conversations and leads older than this are purged (0: kept)", OPERATIONS)
PRIVACY_URL = _("PRIVACY_URL", "/privacy", "the privacy text the callback form links to", OPERATIONS)
BACKUP_DIR = _("BACKUP_DIR", "var/backups", "where the backup job writes", OPERATIONS)
BACKUP_KEEP_DAYS = _("BACKUP_KEEP_DAYS", "14", "days of backups kept", OPERATIONS)
BROKER_ENABLED = _("BROKER_ENABLED", "0", "1: the stack publishes events to RabbitMQ (for a consumer)", OPERATIONS)
ENV_FILE = _(
    "ENV_FILE", "/etc/chuangyiling/assistant.env", "the environment file `make deploy-files` reads", OPERATIONS
)
PUBLIC_URL = _("PUBLIC_URL", "", "the site's https:// address (deploy: socket URL and allowed origin)", OPERATIONS)
WIDGET_ORIGINS = _("WIDGET_ORIGINS", "", "other sites that embed the widget, space-separated (deploy)", OPERATIONS)
TLS_CERTIFICATE = _(
    "TLS_CERTIFICATE", "", "certificate file (deploy; default Let's Encrypt's for PUBLIC_URL)", OPERATIONS
)
TLS_CERTIFICATE_KEY = _("TLS_CERTIFICATE_KEY", "", "its key file (deploy)", OPERATIONS, True)
HTTP_PORT = _("HTTP_PORT", "80", "nginx's plain HTTP port, redirecting to HTTPS (deploy)", OPERATIONS)
HTTPS_PORT = _("HTTPS_PORT", "443", "nginx's HTTPS port (deploy)", OPERATIONS)
SERVICE_USER = _("SERVICE_USER", "chuangyiling", "the system user the services run as (deploy)", OPERATIONS)
STATE_DIR = _("STATE_DIR", "/var/lib/chuangyiling", "the services' data (deploy)", OPERATIONS)
LOG_DIR = _("LOG_DIR", "/var/log/chuangyiling", "the services' logs (deploy)", OPERATIONS)

WECHAT = "WeChat (docs/wechat.md)"
WECHAT_TOKEN = _("WECHAT_TOKEN", "", "the Official Account's token (empty: WeChat is off)", WECHAT, True)
WECHAT_MESSAGE_MODE = _(
    "WECHAT_MESSAGE_MODE", "", "plain, compatible or safe (default safe with WECHAT_AES_KEY)", WECHAT
)
WECHAT_APP_ID = _("WECHAT_APP_ID", "", "AppID, for the customer-service message API", WECHAT)
WECHAT_APP_SECRET = _("WECHAT_APP_SECRET", "", "AppSecret, for the customer-service message API", WECHAT, True)
WECHAT_AES_KEY = _("WECHAT_AES_KEY", "", "EncodingAESKey of safe mode", WECHAT, True)
WECHAT_TRANSFER_TO_HUMAN = _("WECHAT_TRANSFER_TO_HUMAN", "1", "0: never transfer a follower to a WeChat agent", WECHAT)
WECHAT_PORT = _("WECHAT_PORT", "5006", "port of the WeChat front (python -m channels.wechat) in `make run`", WECHAT)
WECHAT_HOST = _("WECHAT_HOST", "127.0.0.1", "address of the WeChat front in `make run`", WECHAT)
WECHAT_REPLAY_REDIS_URL = _(
    "WECHAT_REPLAY_REDIS_URL", "", "Redis the WeChat fronts share their replay memory in (empty: memory)", WECHAT, True
)
WECHAT_KF_ACCOUNT = _("WECHAT_KF_ACCOUNT", "", "the WeChat agent account to transfer to (empty: any)", WECHAT)

STACK = "Production stack (docs/production.md)"
STACK_PORT = _("STACK_PORT", "8800", "port of the stack's nginx", STACK)
STACK_DIR = _("STACK_DIR", "var/stack", "the stack's logs, pids and nginx configuration", STACK)
STACK_START_TIMEOUT = _("STACK_START_TIMEOUT", "240", "seconds a stack part may take to answer", STACK)
RASA_REPLICAS = _("RASA_REPLICAS", "2", "Rasa servers behind nginx", STACK)
ACTION_REPLICAS = _("ACTION_REPLICAS", "2", "action servers behind nginx", STACK)
STACK_ACTION_PORT = _("STACK_ACTION_PORT", "", "nginx's action-server port (set by scripts/stack.sh)", STACK)
STACK_WEB_PORT = _("STACK_WEB_PORT", "", "the stack's web app port (set by scripts/stack.sh)", STACK)
STACK_RASA_PORTS = _("STACK_RASA_PORTS", "", "the Rasa replicas' ports (set by scripts/stack.sh)", STACK)
STACK_ACTION_PORTS = _("STACK_ACTION_PORTS", "", "the action replicas' ports (set by scripts/stack.sh)", STACK)
STACK_BODY_LIMIT = _("STACK_BODY_LIMIT", "64k", "largest request body nginx accepts", STACK)
STACK_RATE_PER_SECOND = _("STACK_RATE_PER_SECOND", "20", "requests a second nginx accepts from one address", STACK)
RASA_AUTH_TOKEN = _(
    "RASA_AUTH_TOKEN",
    "",
    "token of Rasa's HTTP API, which loads a checked model (stack: off when unset; make run: random)",
    STACK,
    True,
)
SOCKETS = _("SOCKETS", "10000", "widget sockets `make bench-sockets` holds open", STACK)
STACK_WECHAT_PORTS = _("STACK_WECHAT_PORTS", "", "the WeChat fronts' ports (set by scripts/stack.sh)", STACK)
STACK_RATE_BURST = _("STACK_RATE_BURST", "40", "requests nginx accepts at once from one address", STACK)

# Read by the tools this project runs, not by its code; set by the Makefile and the scripts.
FOR_TOOLS = {
    "PYTHONPATH",
    "PYTHON",
    "RASA_TELEMETRY_ENABLED",
    "TF_CPP_MIN_LOG_LEVEL",
    "SQLALCHEMY_SILENCE_UBER_WARNING",
    "SANIC_REQUEST_MAX_SIZE",
    "SANIC_WEBSOCKET_MAX_SIZE",
    "SANIC_BACKLOG",
    "CI",
}


def env_example() -> str:
    lines = ["# Every setting of the assistant, with its default (generated: python -m assistant.settings env)."]
    for group in dict.fromkeys(s.group for s in DECLARED.values()):
        lines += ["", f"# {group}"]
        for s in (s for s in DECLARED.values() if s.group == group):
            lines += [f"# {s.meaning}", f"{'# ' if s.secret and not s.default else ''}{s.name}={s.default}"]
    return "\n".join(lines) + "\n"


def docs() -> str:
    lines = [
        "# Settings",
        "",
        "Every environment variable the assistant reads, declared in `assistant/settings.py`",
        "(generated: `python -m assistant.settings docs`). `.env.example` lists the same with their defaults.",
    ]
    for group in dict.fromkeys(s.group for s in DECLARED.values()):
        lines += ["", f"## {group}", "", "| variable | default | meaning |", "|---|---|---|"]
        lines += [
            f"| `{s.name}` | {f'`{s.default}`' if s.default else ''} | {s.meaning} |"
            for s in DECLARED.values()
            if s.group == group
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "docs"
    sys.stdout.write(env_example() if what == "env" else docs())
