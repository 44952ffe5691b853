"""docs/deploy.md's one command: systemd units, the nginx TLS site, timers and log rotation from
one environment file. The site passes `nginx -t`, the units `systemd-analyze verify`; and the
site in front of the processes started by the units' own command lines serves the widget page,
a chat and WeChat's URL check over HTTPS, also after a service is restarted."""

from __future__ import annotations

import hashlib
import json
import shlex
import shutil
import signal
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from action_server import secret
from harness.bot_process import free_port
from harness.private_services import wait_port
from production import deploy
from tests.markers import starts_servers

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def env_file(tmp_path: Path, **overrides) -> Path:
    values = {
        "PUBLIC_URL": "https://chat.chuangyiling.example",
        secret.ENV: "s" * 40,
        "STATE_DIR": str(tmp_path / "state"),
        "LOG_DIR": str(tmp_path / "log"),
        **overrides,
    }
    path = tmp_path / "assistant.env"
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items() if v is not None))
    return path


def self_signed(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def nginx_main_conf(prefix: Path, site: Path) -> Path:
    """What Debian's /etc/nginx/nginx.conf does around a site, with this test's own paths."""
    for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / d).mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(
        f"""pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {prefix}/body; proxy_temp_path {prefix}/proxy; fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi; scgi_temp_path {prefix}/scgi;
    include {site};
}}
"""
    )
    return conf


def test_bad_settings_are_refused_with_the_reason(tmp_path, capsys):
    out = tmp_path / "deploy"
    assert (
        deploy.main(["--env-file", str(env_file(tmp_path, PUBLIC_URL="http://chat.example")), "--out", str(out)]) == 2
    )
    assert "PUBLIC_URL must be https://" in capsys.readouterr().err
    assert deploy.main(["--env-file", str(env_file(tmp_path, **{secret.ENV: None})), "--out", str(out)]) == 2
    assert secret.ENV in capsys.readouterr().err and not out.exists()


def test_one_setting_gives_the_socket_url_and_the_allowed_origins(tmp_path):
    origins = "https://www.chuangyiling.example"
    deploy.generate(env_file(tmp_path, WIDGET_ORIGINS=origins), tmp_path / "deploy")
    web = (tmp_path / "deploy/systemd/chuangyiling-web.service").read_text()
    rasa = (tmp_path / "deploy/systemd/chuangyiling-rasa.service").read_text()
    assert "--socket-url https://chat.chuangyiling.example" in web
    assert f"--cors https://chat.chuangyiling.example {origins}" in rasa
    assert f'"CORS_ORIGINS=https://chat.chuangyiling.example {origins}"' in rasa
    for name in ("actions", "rasa", "web"):
        text = (tmp_path / f"deploy/systemd/chuangyiling-{name}.service").read_text()
        assert "Restart=on-failure" in text and "WantedBy=multi-user.target" in text
        assert f"EnvironmentFile={tmp_path / 'assistant.env'}" in text
    assert "OnCalendar=" in (tmp_path / "deploy/systemd/chuangyiling-backup.timer").read_text()
    assert "OnCalendar=" in (tmp_path / "deploy/systemd/chuangyiling-purge.timer").read_text()


@pytest.fixture(scope="module")
@starts_servers
def nginx():
    if not Path(NGINX).exists():
        pytest.fail("nginx is missing: apt-get install nginx (Debian's; make pytest installs it)")
    return NGINX


def test_the_generated_site_passes_nginx_t(tmp_path, nginx):
    cert, key = self_signed(tmp_path)
    deploy.generate(env_file(tmp_path, TLS_CERTIFICATE=cert, TLS_CERTIFICATE_KEY=key), tmp_path / "deploy")
    conf = nginx_main_conf(tmp_path / "nginx", tmp_path / "deploy/nginx/chuangyiling.conf")
    checked = subprocess.run(
        [nginx, "-t", "-c", str(conf), "-p", str(tmp_path / "nginx")], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="no systemd-analyze on this machine")
def test_the_generated_units_pass_systemd_analyze_verify(tmp_path):
    deploy.generate(env_file(tmp_path), tmp_path / "deploy")
    units = sorted((tmp_path / "deploy/systemd").iterdir())
    assert len(units) == 8
    verified = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *map(str, units)], capture_output=True, text=True, cwd=tmp_path
    )
    assert verified.returncode == 0, verified.stderr
    assert "chuangyiling" not in verified.stderr, verified.stderr  # no warning about our units either


# --- the generated server, run here --------------------------------------------------------


def unit_command(unit_file: Path) -> tuple[list[str], dict, Path]:
    """ExecStart, the environment systemd would give it (Environment=, then EnvironmentFile=,
    which wins) and WorkingDirectory, read from a generated unit."""
    fields = dict(line.split("=", 1) for line in unit_file.read_text().splitlines() if "=" in line)
    env = dict(item.split("=", 1) for item in shlex.split(fields["Environment"]))
    env.update(deploy.read_env_file(Path(fields["EnvironmentFile"])))
    return shlex.split(fields["ExecStart"]), {"PATH": "/usr/bin:/bin", **env}, Path(fields["WorkingDirectory"])


class Server:
    """The units' processes started by their own command lines, nginx with the generated site."""

    def __init__(self, tmp_path: Path):
        self.tmp = tmp_path
        names = ("RASA_PORT", "ACTION_PORT", "WEB_PORT", "WECHAT_PORT", "HTTP_PORT", "HTTPS_PORT")
        self.ports = {name: free_port() for name in names}
        self.cert, key = self_signed(tmp_path)
        self.url = f"https://localhost:{self.ports['HTTPS_PORT']}"
        self.env_file = env_file(
            tmp_path, PUBLIC_URL=self.url, TLS_CERTIFICATE=self.cert, TLS_CERTIFICATE_KEY=key, WECHAT_TOKEN="deploytoken1",
            VISITOR_RATE_PER_SECOND="0", **{k: str(v) for k, v in self.ports.items()},
        )  # fmt: skip
        deploy.generate(self.env_file, tmp_path / "deploy")
        for d in ("state", "log"):
            (tmp_path / d).mkdir(exist_ok=True)
        self.procs: dict[str, subprocess.Popen] = {}
        self.nginx_prefix = tmp_path / "nginx"
        self.tls = ssl.create_default_context(cafile=str(self.cert))

    def start(self, name: str) -> None:
        command, env, cwd = unit_command(self.tmp / f"deploy/systemd/chuangyiling-{name}.service")
        log = open(self.tmp / "log" / f"{name}.log", "ab")
        self.procs[name] = subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)

    def stop(self, name: str) -> None:
        proc = self.procs.pop(name)
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def wait_rasa(self, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.procs["rasa"].poll() is None, (self.tmp / "log/rasa.log").read_text()[-3000:]
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.ports['RASA_PORT']}/webhooks/rest/", timeout=2)
                return
            except OSError:
                time.sleep(0.5)
        raise TimeoutError("Rasa did not start")

    def __enter__(self) -> Server:
        for name in ("actions", "web", "rasa", "wechat"):
            self.start(name)
        conf = nginx_main_conf(self.nginx_prefix, self.tmp / "deploy/nginx/chuangyiling.conf")
        # The site logs to /var/log/nginx as on a real server: here, to the test's directory.
        site = self.tmp / "deploy/nginx/chuangyiling.conf"
        site.write_text(site.read_text().replace("/var/log/nginx/", f"{self.nginx_prefix}/"))
        subprocess.run([NGINX, "-c", str(conf), "-p", str(self.nginx_prefix)], check=True)
        wait_port(self.ports["HTTPS_PORT"])
        self.wait_rasa()
        return self

    def __exit__(self, *exc) -> None:
        subprocess.run([NGINX, "-c", str(self.nginx_prefix / "nginx.conf"), "-p", str(self.nginx_prefix), "-s", "quit"])
        for name in list(self.procs):
            self.stop(name)

    def get(self, path: str, headers: dict | None = None) -> tuple[int, str]:
        request = urllib.request.Request(self.url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=30, context=self.tls) as answer:
                return answer.status, answer.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def say(self, sender: str, text: str) -> str:
        body = json.dumps({"sender": sender, "message": text}).encode()
        request = urllib.request.Request(
            self.url + "/webhooks/rest/webhook", body, {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60, context=self.tls) as answer:
            return "\n".join(m.get("text", "") for m in json.loads(answer.read()))


@pytest.fixture(scope="module")
@starts_servers
def server(tmp_path_factory, nginx):
    with Server(tmp_path_factory.mktemp("deployed")) as running:
        yield running


def test_over_https_the_widget_page_a_chat_and_wechats_url_check_work(server):
    status, page = server.get("/")
    assert status == 200 and server.url in page  # the widget's socket URL is the one setting
    assert server.get("/webchat.js")[0] == 200 and "隐私说明" in server.get("/privacy")[1]
    status, handshake = server.get("/socket.io/?EIO=4&transport=polling", {"Origin": server.url})
    assert status == 200 and '"sid"' in handshake
    assert "推广专员" in server.say("deployed-visitor", "淘宝运营和推广专员有什么区别")
    timestamp, nonce = str(int(time.time())), "n0nce"
    signature = hashlib.sha1("".join(sorted(["deploytoken1", timestamp, nonce])).encode()).hexdigest()
    query = f"signature={signature}&timestamp={timestamp}&nonce={nonce}&echostr=hello-wechat"
    assert server.get(f"/webhooks/wechat/webhook?{query}") == (200, "hello-wechat")
    assert server.get("/metrics")[0] == 404 and server.get("/conversations/x/tracker")[0] == 404
    plain = urllib.request.Request(f"http://localhost:{server.ports['HTTP_PORT']}/staff/")
    with pytest.raises(urllib.error.HTTPError) as redirect:
        urllib.request.build_opener(NoRedirect).open(plain, timeout=10)
    assert redirect.value.code == 301 and redirect.value.headers["Location"] == server.url + "/staff/"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_a_restarted_service_comes_back_with_the_conversation(server):
    assert "推广专员" in server.say("restarted-visitor", "淘宝运营和推广专员有什么区别")
    server.stop("rasa")  # what `systemctl restart chuangyiling-rasa` does, by the unit's command line
    server.start("rasa")
    server.wait_rasa()
    assert "大局观" in server.say("restarted-visitor", "那能力要求呢?")  # in context: kept in STATE_DIR
    server.stop("actions")
    server.start("actions")
    wait_port(server.ports["ACTION_PORT"])
    assert "大局观" in server.say("restarted-visitor", "那能力要求呢?")
