"""d. Pages under load: gunicorn with production settings and wrk, both on loopback.

gunicorn: DEBUG off, a key made for the run, ALLOWED_HOSTS=127.0.0.1, no HTTPS redirect or HSTS,
static files collected into the run's temporary VAR_DIR and served by whitenoise, 2 sync workers
bound to 127.0.0.1 on a free port. Users log in through the login form like a browser; wrk then
replays their session cookie (bench/wrk/scenario.lua). Every run is bounded (wrk -d, timeouts)
and the server is stopped by its process group id when the measurements end, also on an error.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from bench.common import (
    PYTHON,
    ROOT,
    BenchError,
    Config,
    Log,
    child_env,
    children_of,
    median,
    memory_kib,
    ratio,
    run_manage,
    stop_process_group,
    wait_until,
)

LUA_SCRIPT = ROOT / "bench" / "wrk" / "scenario.lua"
WRK_MARK = "BENCH_WRK "
HOST = "127.0.0.1"
WORKERS = 2
STATIC_PROBE = "js/formset.js"  # a small file of our own, served by whitenoise (second floor)
# (key, label, persona or None, expected status): the order of a round; the pledge POST is last.
SCENARIOS = (
    ("floor", "/healthz?worker=0 (floor)", None, 200),
    ("static", "static file via whitenoise", None, 200),
    ("dashboard", "leader dashboard", "leader", 200),
    ("ranking", "cluster rankings page", "leader", 200),
    ("scoring", "committee scoring page", "scorer", 200),
    ("pledge_get", "pledge form GET", "officer", 200),
    ("pledge_post", "pledge form GET then POST", "bench officers", 302),
)


def wrk_path() -> str | None:
    return shutil.which("wrk")


def ensure_wrk(log: Log, *, install: bool) -> str:
    """wrk, from Debian's package: installed with apt-get when allowed (root), else a clear refusal."""
    found = wrk_path()
    if found:
        return found
    if install and shutil.which("apt-get") and os.geteuid() == 0:
        log("wrk is missing: installing the Debian package wrk (apt-get install -y wrk)")
        for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "wrk"]):
            subprocess.run(command, check=False, capture_output=True, timeout=600)
        found = wrk_path()
        if found:
            return found
    raise BenchError(
        "The page load needs wrk (Debian package wrk: `sudo apt-get install wrk`). "
        "Install it, or run `make bench` without the load with `bench/run.py --no-load`."
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


# --- HTTP as a browser does it --------------------------------------------------------------------


@dataclass
class Session:
    username: str
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())


def _request(port: int, method: str, path: str, *, session: Session | None = None, body: str | None = None):
    headers = {"Host": HOST, "Accept-Language": "vi"}
    if session is not None and session.cookies:
        headers["Cookie"] = session.header
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Referer"] = f"http://{HOST}:{port}{path}"
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read().decode("utf-8", "replace")
        if session is not None:
            for raw in response.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie()
                cookie.load(raw)
                for name, morsel in cookie.items():
                    session.cookies[name] = morsel.value
        return response.status, dict(response.headers), content
    finally:
        connection.close()


def _request_once(port: int) -> int:
    connection = http.client.HTTPConnection(HOST, port, timeout=120)
    try:
        connection.request("GET", "/healthz?worker=0", headers={"Host": HOST})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def login(port: int, username: str, password: str) -> Session:
    """Log in through the login form (CSRF cookie and token, then the POST), as a browser would."""
    session = Session(username)
    status, _headers, page = _request(port, "GET", "/accounts/login/", session=session)
    token = _TOKEN.search(page)
    if status != 200 or token is None:
        raise BenchError(f"The login page answered {status} without a CSRF token.")
    form = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)})
    status, _headers, _page = _request(port, "POST", "/accounts/login/", session=session, body=form)
    if status != 302 or "sessionid" not in session.cookies:
        raise BenchError(f"{username} could not log in (HTTP {status}).")
    return session


class FormFields(HTMLParser):
    """The fields a browser would submit from each POST form of a page (not those inside <template>)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self._fields: list[tuple[str, str]] | None = None
        self._template = 0
        self._select: str | None = None
        self._select_value: str | None = None
        self._select_first: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("method") or "").lower() == "post":
            self._fields = []
            self.forms.append(self._fields)
            return
        if self._fields is None:
            return
        if tag == "template":
            self._template += 1
        if self._template:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = (attributes.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                return
            self._fields.append((name, attributes.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select, self._select_value, self._select_first = name, None, None
        elif tag == "option" and self._select is not None:
            value = attributes.get("value") or ""
            if self._select_first is None:
                self._select_first = value
            if "selected" in attributes:
                self._select_value = value
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag: str) -> None:
        if self._fields is None:
            return
        if tag == "template" and self._template:
            self._template -= 1
        elif self._template:
            return
        elif tag == "select" and self._select is not None:
            chosen = self._select_value if self._select_value is not None else self._select_first
            self._fields.append((self._select, chosen or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._fields.append((self._textarea, "".join(self._text)))
            self._textarea = None
        elif tag == "form":
            self._fields = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None and not self._template:
            self._text.append(data)


def pledge_post_body(port: int, session: Session, path: str) -> str:
    """The form as the page shows it, saved as a draft, with the version left for wrk to append."""
    status, _headers, page = _request(port, "GET", path, session=session)
    if status != 200:
        raise BenchError(f"The pledge form {path} answered {status} to {session.username}.")
    parser = FormFields()
    parser.feed(page)
    form = next(
        (fields for fields in parser.forms if any(name == "version" for name, _value in fields)), None
    )
    if form is None:
        raise BenchError(f"The pledge form {path} has no version field.")
    fields = [(name, value) for name, value in form if name != "version"]
    return urlencode([*fields, ("action", "save")]) + "&version="


# --- gunicorn ---------------------------------------------------------------------------------------


def collect_static(cfg: Config, scale: int, var_dir: Path, log: Log) -> None:
    """collectstatic into the run's temporary VAR_DIR (once): DEBUG off serves hashed, compressed files."""
    if (var_dir / "staticfiles" / "staticfiles.json").exists():
        return
    started = time.monotonic()
    run_manage(cfg, scale, "collectstatic", "--noinput", var_dir=var_dir, timeout=600)
    log(f"collectstatic into the run's temporary VAR_DIR: {time.monotonic() - started:.0f} s")


# --- gunicorn (server) --------------------------------------------------------------------------------------


class Server:
    """gunicorn with production settings on 127.0.0.1; stopped by its process group on exit."""

    def __init__(self, cfg: Config, scale: int, var_dir: Path, log: Log) -> None:
        self.cfg, self.scale, self.var_dir, self.log = cfg, scale, var_dir, log
        self.port = 0
        self.process: subprocess.Popen | None = None
        self._log_file = None

    def __enter__(self) -> Server:
        collect_static(self.cfg, self.scale, self.var_dir, self.log)
        self.port = free_port()
        self._log_file = (self.var_dir / "gunicorn.log").open("ab")
        self.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--workers",
                str(WORKERS),
                "--worker-class",
                "sync",
                "--bind",
                f"{HOST}:{self.port}",
                "--log-level",
                "warning",
                "--timeout",
                "60",
                "--graceful-timeout",
                "10",
            ],
            cwd=ROOT,
            env=child_env(self.cfg, self.scale, var_dir=self.var_dir),
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if not wait_until(self._ready, timeout=60, interval=0.3):
            self.__exit__(None, None, None)
            raise BenchError(
                f"gunicorn did not answer /healthz within 60 s; see {self.var_dir / 'gunicorn.log'}"
            )
        return self

    def _ready(self) -> bool:
        if self.process is None or self.process.poll() is not None:
            raise BenchError(f"gunicorn exited at start; see {self.var_dir / 'gunicorn.log'}")
        try:
            status, _headers, _body = _request(self.port, "GET", "/healthz?worker=0")
        except OSError:
            return False
        return status == 200

    def drain(self) -> None:
        """Wait until the requests a finished wrk run left queued are answered (sync workers serve
        the listen backlog in order), so the next run starts on an idle server."""
        for _attempt in range(WORKERS + 1):
            try:
                status = _request_once(self.port)
            except OSError:
                continue
            if status != 200:
                raise BenchError(f"/healthz answered {status} between two load runs.")

    def workers(self) -> list[int]:
        return children_of(self.process.pid) if self.process else []

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            stop_process_group(self.process)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def static_path(self) -> str:
        manifest = json.loads((self.var_dir / "staticfiles" / "staticfiles.json").read_text())
        return "/static/" + manifest["paths"][STATIC_PROBE]


# --- wrk ---------------------------------------------------------------------------------------------


def _lua(value: str) -> str:
    if not value.isascii():
        raise BenchError("wrk scenario values must be ASCII (URL-encoded).")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_scenario(path: Path, *, mode: str, status: int, sessions: list[dict]) -> None:
    lines = ["return {", f"  mode = {_lua(mode)},", f"  status = {status},", "  sessions = {"]
    for session in sessions:
        items = ", ".join(f"{key} = {_lua(value)}" for key, value in session.items())
        lines.append(f"    {{ {items} }},")
    lines += ["  },", "}", ""]
    path.write_text("\n".join(lines))


def run_wrk(wrk: str, port: int, scenario: Path, *, connections: int, seconds: int) -> dict:
    """One bounded wrk run: `connections` threads of one connection each, for `seconds`."""
    completed = subprocess.run(
        [
            wrk,
            f"-t{connections}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(LUA_SCRIPT),
            f"http://{HOST}:{port}",
        ],
        env={"BENCH_WRK_CONFIG": str(scenario), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=False,
    )
    line = next((line for line in completed.stdout.splitlines() if line.startswith(WRK_MARK)), None)
    if completed.returncode != 0 or line is None:
        raise BenchError(f"wrk failed (exit {completed.returncode}): {completed.stderr.strip()[-500:]}")
    result = json.loads(line[len(WRK_MARK) :])
    seconds_run = result["duration_us"] / 1e6
    errors = sum(result["errors"][key] for key in ("connect", "read", "write", "timeout"))
    return {
        "rps": result["requests"] / seconds_run if seconds_run else 0.0,
        "requests": result["requests"],
        "p50_ms": result["p50_us"] / 1000,
        "p95_ms": result["p95_us"] / 1000,
        "p99_ms": result["p99_us"] / 1000,
        "errors": errors,
        "unexpected": result["unexpected"],
        "unexpected_statuses": result["unexpected_statuses"],
        "saved": result["saved"],
    }


def measure_pages(cfg: Config, scale: int, fixtures: dict, *, var_dir: Path, log: Log) -> dict:
    """Every scenario once per round (the floor first), for `load_rounds` rounds; medians and ratios."""
    wrk = ensure_wrk(log, install=True)
    wanted = [scenario for scenario in SCENARIOS if cfg.pages is None or scenario[0] in cfg.pages]
    if not any(key == "floor" for key, *_rest in wanted):
        wanted.insert(0, SCENARIOS[0])
    ids, personas = fixtures["ids"], fixtures["personas"]
    with Server(cfg, scale, var_dir, log) as server:
        port = server.port
        demo_password = fixtures["demo_password"]
        sessions = {
            role: login(port, username, demo_password)
            for role, username in personas.items()
            if role in ("leader", "scorer", "officer")
        }
        paths = {
            "floor": "/healthz?worker=0",
            "static": server.static_path(),
            "dashboard": "/dashboard/",
            "ranking": "/rankings/",
            "scoring": f"/scoring/{ids['scoring_submission']}/",
            "pledge_get": f"/pledges/{ids['officer_pledge']}/edit/",
        }
        officers = fixtures["officers"][: cfg.connections]
        scenario_files: dict[str, tuple[Path, int]] = {}
        for key, _label, persona, status in wanted:
            file = var_dir / f"wrk-{key}.lua"
            if key == "pledge_post":
                if not officers:
                    log("pledge POST skipped: no bench officer with an open pledge")
                    continue
                post_sessions = []
                for officer in officers:
                    session = login(port, officer["username"], cfg.officer_password)
                    path = f"/pledges/{officer['pledge']}/edit/"
                    post_sessions.append(
                        {
                            "path": path,
                            "cookie": session.header,
                            "referer": f"http://{HOST}:{port}{path}",
                            "body": pledge_post_body(port, session, path),
                        }
                    )
                write_scenario(file, mode="pledge", status=status, sessions=post_sessions)
                scenario_files[key] = (file, len(post_sessions))
                continue
            session = sessions.get(persona)
            cookie = session.header if session else ""
            write_scenario(
                file,
                mode="get",
                status=status,
                sessions=[{"path": paths[key], "cookie": cookie, "referer": ""}],
            )
            scenario_files[key] = (file, cfg.connections)
        # Warm-up: imports, connection pools, the caches keyed by snapshot id.
        for key, (file, connections) in scenario_files.items():
            if key != "pledge_post":
                run_wrk(wrk, port, file, connections=connections, seconds=cfg.warmup_seconds)
                server.drain()
        runs: dict[str, list[dict]] = {key: [] for key in scenario_files}
        for round_number in range(1, cfg.load_rounds + 1):
            for key, (file, connections) in scenario_files.items():
                result = run_wrk(wrk, port, file, connections=connections, seconds=cfg.load_seconds)
                runs[key].append(result)
                server.drain()
            floor = runs["floor"][-1]["rps"]
            log(
                f"load round {round_number}/{cfg.load_rounds}: "
                + ", ".join(f"{key} {runs[key][-1]['rps']:.0f}/s" for key in scenario_files)
                + f" (floor {floor:.0f}/s)"
            )
        workers = server.workers()
        peak = {pid: memory_kib(pid) for pid in workers}
    pages = {}
    for key, label, persona, _status in SCENARIOS:
        if key not in runs:
            continue
        results = runs[key]
        pages[key] = {
            "label": label,
            "path": paths.get(key, "/pledges/<pk>/edit/ (one pledge per connection)"),
            "persona": persona,
            "connections": scenario_files[key][1],
            "rps": median(r["rps"] for r in results),
            "ratio": median(ratio(r["rps"], runs["floor"][index]["rps"]) for index, r in enumerate(results)),
            "p50_ms": median(r["p50_ms"] for r in results),
            "p95_ms": median(r["p95_ms"] for r in results),
            "errors": sum(r["errors"] for r in results),
            "unexpected": sum(r["unexpected"] for r in results),
            "unexpected_statuses": _merge(r["unexpected_statuses"] for r in results),
            "requests": sum(r["requests"] for r in results),
            "saved": sum(r["saved"] for r in results),
        }
    return {
        "scale": scale,
        "seconds": cfg.load_seconds,
        "rounds": cfg.load_rounds,
        "pages": pages,
        "worker_peak_kib": max((value for value in peak.values() if value), default=None),
        "workers": len(workers),
    }


def _merge(dicts) -> dict:
    merged: dict[str, int] = {}
    for item in dicts:
        for key, value in item.items():
            merged[key] = merged.get(key, 0) + value
    return merged
