"""One real server (docs/deploy.md): systemd units for every process, an nginx TLS site, the backup
and retention timers and log rotation, generated from the settings of one environment file:

    python -m production.deploy --env-file /etc/chuangyiling/assistant.env --out deploy/

The same file is every unit's EnvironmentFile=, so the processes and the generated files agree.
The site serves everything on 443: the widget's page and files, socket.io, REST, the WeChat
webhook and the staff console; port 80 only redirects (and answers certbot's challenge)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from urllib.parse import urlsplit

from action_server import secret
from assistant import settings
from process_supervisor.endpoints import render as render_endpoints
from production.nginx import widget_paths_location

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "chuangyiling"


class BadSettings(ValueError):
    pass


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile= reads them (comments, optional quotes)."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")) or "=" not in line:
            continue
        key, value = line.split("=", 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


@dataclass(frozen=True)
class DeploySettings:
    public_url: str
    widget_origins: tuple[str, ...]
    certificate: str
    certificate_key: str
    http_port: int
    https_port: int
    user: str
    state_dir: Path
    log_dir: Path
    rasa_port: int
    action_port: int
    web_port: int
    wechat_port: int = 5006
    root: Path = ROOT
    python: Path = ROOT / ".venv" / "bin" / "python"

    @classmethod
    def from_env(cls, env: Mapping[str, str], env_file: Path) -> DeploySettings:
        public_url = settings.PUBLIC_URL.value(env).rstrip("/")
        parts = urlsplit(public_url)
        if parts.scheme != "https" or not parts.hostname or parts.path or parts.query:
            raise BadSettings(
                f"PUBLIC_URL must be https://HOST[:PORT] (the site visitors and WeChat reach), not {public_url!r}"
            )
        if len(env.get(secret.ENV, "")) < secret.MIN_CHARS:
            raise BadSettings(
                f"{env_file} needs {secret.ENV} (at least {secret.MIN_CHARS} characters): see docs/deploy.md"
            )
        host = parts.hostname
        try:
            return cls(
                public_url=public_url,
                widget_origins=tuple(settings.WIDGET_ORIGINS.value(env).split()),
                certificate=settings.TLS_CERTIFICATE.value(env) or f"/etc/letsencrypt/live/{host}/fullchain.pem",
                certificate_key=settings.TLS_CERTIFICATE_KEY.value(env) or f"/etc/letsencrypt/live/{host}/privkey.pem",
                http_port=int(settings.HTTP_PORT.value(env) or 80),
                https_port=int(settings.HTTPS_PORT.value(env) or 443),
                user=settings.SERVICE_USER.value(env) or PREFIX,
                state_dir=Path(settings.STATE_DIR.value(env) or f"/var/lib/{PREFIX}"),
                log_dir=Path(settings.LOG_DIR.value(env) or f"/var/log/{PREFIX}"),
                rasa_port=int(settings.RASA_PORT.value(env) or 5005),
                action_port=int(settings.ACTION_PORT.value(env) or 5055),
                web_port=int(settings.WEB_PORT.value(env) or 8080),
                wechat_port=settings.WECHAT_PORT.integer(env),
            )
        except ValueError as error:
            raise BadSettings(f"a port in {env_file} is not a number: {error}") from None

    @property
    def host(self) -> str:
        return urlsplit(self.public_url).hostname

    @property
    def allowed_origins(self) -> str:
        """The widget's page origins: the site itself and the agency's pages that embed it."""
        return " ".join(dict.fromkeys((self.public_url, *self.widget_origins)))


@dataclass(frozen=True)
class Service:
    name: str
    description: str
    command: list[str]
    oneshot: bool = False


def services(s: DeploySettings, out: Path) -> list[Service]:
    py = str(s.python)
    rasa = [
        py, "-m", "rasa_server", "run", "--model", str(s.root / "models" / "bot.tar.gz"), "-i", "127.0.0.1",
        "--port", str(s.rasa_port), "--credentials", str(s.root / "credentials.yml"),
        "--endpoints", str(out / "endpoints.yml"), "--cors", *s.allowed_origins.split(),
    ]  # fmt: skip
    return [
        Service("actions", "custom actions (127.0.0.1 only, shared secret)", [py, "-m", "action_server", "--port", str(s.action_port)]),
        Service("rasa", "Rasa server: REST, widget socket.io, WeChat", rasa),
        Service("web", "widget page and files, staff console", [py, "-m", "web_app", "--port", str(s.web_port), "--socket-url", s.public_url]),
        # WeChat's webhook in a process of its own, so its 5 s hold however busy Rasa is (docs/wechat.md).
        Service("wechat", "WeChat front (answers WeChat within its 5 s)", [
            py, "-m", "channels.wechat", "--port", str(s.wechat_port), "--rasa-url", f"http://127.0.0.1:{s.rasa_port}",
            "--credentials", str(s.root / "credentials.yml"),
        ]),
        Service("backup", "backup of conversations and leads", [py, "-m", "production.backup"], oneshot=True),
        Service("purge", "retention job: old conversations and leads deleted", [py, "-m", "privacy", "purge"], oneshot=True),
    ]  # fmt: skip


def environment(s: DeploySettings) -> dict[str, str]:
    """Defaults every unit gets; the environment file overrides any of them."""
    return {
        "PYTHONPATH": str(s.root),
        "HOME": str(s.state_dir),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "CORS_ORIGINS": s.allowed_origins,
        "TRACKER_SQLITE_PATH": str(s.state_dir / "tracker.db"),
        "TRACKER_JOURNAL_PATH": str(s.state_dir / "tracker.db.journal"),
        "LEADS_DATABASE_URL": f"sqlite:///{s.state_dir / 'leads.db'}",
        "LEADS_SPOOL_DIR": str(s.state_dir / "leads-spool"),
        "BACKUP_DIR": str(s.state_dir / "backups"),
        "PRIVACY_URL": f"{s.public_url}/privacy",  # absolute: WeChat and pages elsewhere link to it
        "ACTION_PORT": str(s.action_port),
        "RASA_PORT": str(s.rasa_port),
    }


def unit(s: DeploySettings, service: Service, env_file: Path) -> str:
    env = " ".join(f'"{k}={v}"' for k, v in environment(s).items())
    after = "network-online.target" + ("" if service.name == "actions" else f" {PREFIX}-actions.service")
    lines = [
        "# Generated by production/deploy.py from the environment file; do not edit.",
        "[Unit]",
        f"Description=创意岭客服助手: {service.description}",
        f"After={after}",
        "Wants=network-online.target",
        # A crashed part restarts after 2 s; systemd gives up only after 10 failures in 5 minutes.
        *([] if service.oneshot else ["StartLimitIntervalSec=300", "StartLimitBurst=10"]),
        "",
        "[Service]",
        f"Type={'oneshot' if service.oneshot else 'simple'}",
        f"User={s.user}",
        f"Group={s.user}",
        f"WorkingDirectory={s.root}",
        f"Environment={env}",
        f"EnvironmentFile={env_file}",
        "ExecStart=" + " ".join(service.command),
        f"StandardOutput=append:{s.log_dir / (service.name + '.log')}",
        "StandardError=inherit",
        "NoNewPrivileges=yes",
        "PrivateTmp=yes",
        "ProtectSystem=full",
    ]
    if not service.oneshot:
        lines += [
            "Restart=on-failure",
            "RestartSec=2",
            "TimeoutStopSec=20",
            "",
            "[Install]",
            "WantedBy=multi-user.target",
        ]
    return "\n".join(lines) + "\n"


def timer(service: Service, when: str) -> str:
    return (
        "# Generated by production/deploy.py; do not edit.\n"
        f"[Unit]\nDescription=创意岭客服助手: {service.description}, {when}\n\n"
        f"[Timer]\nOnCalendar={when}\nPersistent=true\nRandomizedDelaySec=15m\n\n"
        "[Install]\nWantedBy=timers.target\n"
    )


def nginx_site(s: DeploySettings) -> str:
    proxy = """
        proxy_http_version 1.1;
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $remote_addr;
        proxy_set_header X-Forwarded-Proto https;"""
    web = f"http://127.0.0.1:{s.web_port}"
    rasa = f"http://127.0.0.1:{s.rasa_port}"
    return f"""# Generated by production/deploy.py from the environment file; do not edit.
# Install as /etc/nginx/sites-enabled/{PREFIX}.conf (docs/deploy.md).
limit_req_zone $binary_remote_addr zone={PREFIX}_per_client:10m rate=20r/s;
log_format {PREFIX}_private '$remote_addr [$time_local] "$request_method $uri $server_protocol" '
                            '$status $body_bytes_sent $request_time';
map $http_upgrade ${PREFIX}_connection_upgrade {{
    default upgrade;
    ''      '';
}}

server {{
    listen {s.http_port};
    listen [::]:{s.http_port};
    server_name {s.host};
    # certbot's HTTP challenge (certbot certonly --webroot -w /var/www/html -d {s.host}).
    location /.well-known/acme-challenge/ {{ root /var/www/html; }}
    location / {{ return 301 {s.public_url}$request_uri; }}
}}

server {{
    listen {s.https_port} ssl http2;
    listen [::]:{s.https_port} ssl http2;
    server_name {s.host};
    ssl_certificate {s.certificate};
    ssl_certificate_key {s.certificate_key};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:{PREFIX}_tls:10m;
    add_header Strict-Transport-Security "max-age=31536000" always;
    server_tokens off;
    client_max_body_size 64k;
    client_body_buffer_size 64k;
    # The path without its query: WeChat's signatures and openids stay out of the log.
    access_log /var/log/nginx/{PREFIX}.access.log {PREFIX}_private;

    # The widget's page, files, ratings and the privacy text; the staff console.
    location = / {{
        limit_req zone={PREFIX}_per_client burst=40 nodelay;{proxy}
        proxy_pass {web};
    }}
    location {widget_paths_location()} {{
        limit_req zone={PREFIX}_per_client burst=40 nodelay;{proxy}
        proxy_pass {web};
    }}
    location /staff/ {{
        limit_req zone={PREFIX}_per_client burst=40 nodelay;{proxy}
        proxy_set_header X-Forwarded-Host $http_host;
        proxy_pass {web};
    }}
    # The widget's socket (WebSocket or long-polling).
    location /socket.io/ {{
        limit_req zone={PREFIX}_per_client burst=40 nodelay;{proxy}
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection ${PREFIX}_connection_upgrade;
        proxy_read_timeout 300s;
        proxy_pass {rasa};
    }}
    location /webhooks/rest/ {{
        limit_req zone={PREFIX}_per_client burst=40 nodelay;{proxy}
        proxy_pass {rasa};
    }}
    # WeChat's server calls come from Tencent's few addresses: no per-address limit.
    location /webhooks/wechat/ {{{proxy}
        proxy_pass http://127.0.0.1:{s.wechat_port};
    }}
    # Everything else (Rasa's HTTP API, /metrics, /ready) stays on the machine.
    location / {{ return 404; }}
}}
"""


def logrotate(s: DeploySettings) -> str:
    return f"""# Generated by production/deploy.py; install as /etc/logrotate.d/{PREFIX}.
{s.log_dir}/*.log {{
    daily
    rotate 14
    compress
    delaycompress
    missingok
    notifempty
    # The services keep their log open (StandardOutput=append:): copy, then truncate in place.
    copytruncate
}}
"""


def generate(env_file: Path, out: Path) -> list[Path]:
    settings = DeploySettings.from_env(read_env_file(env_file), env_file)
    out = out.resolve()
    (out / "systemd").mkdir(parents=True, exist_ok=True)
    written = [render_endpoints(out / "endpoints.yml", settings.action_port, settings.state_dir / "tracker.db")]
    schedule = {"backup": "*-*-* 03:30:00", "purge": "*-*-* 04:00:00"}
    for service in services(settings, out):
        path = out / "systemd" / f"{PREFIX}-{service.name}.service"
        path.write_text(unit(settings, service, env_file.resolve()), encoding="utf-8")
        written.append(path)
        if service.name in schedule:
            path = out / "systemd" / f"{PREFIX}-{service.name}.timer"
            path.write_text(timer(service, schedule[service.name]), encoding="utf-8")
            written.append(path)
    for relative, text in (
        (f"nginx/{PREFIX}.conf", nginx_site(settings)),
        (f"logrotate/{PREFIX}", logrotate(settings)),
    ):
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m production.deploy", description=__doc__)
    parser.add_argument("--env-file", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=ROOT / "deploy")
    args = parser.parse_args(argv)
    try:
        written = generate(args.env_file, args.out)
    except (BadSettings, OSError) as error:
        print(f"deploy: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
