"""A real multi-host mall for tests: two gunicorn hosts, each in a network namespace of its own joined to the root
namespace by a veth pair on a bridge (a private /24), one PostgreSQL cluster and one redis-server of the test's own
listening on the bridge address, and nginx on a loopback port in front. `Cluster.stop()` tears all of it down,
whatever failed half-way: every step registers its undo as soon as it has done something."""
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV_BIN = os.path.join(ROOT, ".venv", "bin")
HOSTS = ("a", "b")
APP_PORT = 8000  # the same port in each namespace: they do not share a network stack


def missing_requirement():
    """Why the multi-host test cannot run here, or None."""
    if os.geteuid() != 0:
        return "needs root (ip netns, veth, a bridge)"
    for tool in ("ip", "nginx", "redis-server"):
        if shutil.which(tool, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin") is None:
            return f"needs {tool} (Debian package: .ci/run installs it)"
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        return "needs the PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb)"
    if not os.path.exists(os.path.join(VENV_BIN, "gunicorn")):
        return "needs .venv/bin/gunicorn"
    probe = f"shopprobe{os.getpid()}"
    if subprocess.run(["ip", "netns", "add", probe], capture_output=True).returncode != 0:
        return "`ip netns add` is refused here (no CAP_SYS_ADMIN or no netns support)"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


def run(*cmd, **kw):
    """Run a command, raising with its output when it fails."""
    done = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({done.returncode}): {done.stdout}{done.stderr}")
    return done.stdout


def free_port(host):
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def free_subnet(pid):
    """A 10.213.X.0/24 no interface uses yet, X picked from the pid so parallel runs start apart."""
    used = run("ip", "-4", "-o", "addr")
    for step in range(200):
        x = (pid + step) % 200 + 20
        if f"10.213.{x}." not in used:
            return f"10.213.{x}"
    raise RuntimeError("no free 10.213.X.0/24 subnet")


def wait_until(check, what, timeout=30, proc=None, log=None):
    """Poll `check()` until it is truthy; fail early when `proc` died, with the tail of its `log`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}: {tail(log)}")
        try:
            if check():
                return
        except Exception:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} not ready after {timeout}s: {tail(log)}")


def tail(path, lines=30):
    if not path or not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8", errors="replace") as f:
        return "".join(f.readlines()[-lines:])


def stop_process(proc, sig=signal.SIGTERM, group=False):
    """Stop a process (or its whole process group) and reap it; SIGKILL after 10 s."""
    if proc.poll() is not None:
        return
    send = (lambda s: os.killpg(proc.pid, s)) if group else proc.send_signal
    try:
        send(sig)
        proc.wait(10)
    except subprocess.TimeoutExpired:
        send(signal.SIGKILL)
        proc.wait(10)
    except ProcessLookupError:
        pass


class Cluster:
    """Two app hosts behind nginx on one PostgreSQL and one Redis; see the module docstring."""

    def __init__(self):
        self.pid = os.getpid()
        self.tmp = tempfile.mkdtemp(prefix=f"shop-hosts-{self.pid}-")
        os.chmod(self.tmp, 0o755)  # PostgreSQL runs as the postgres user and needs to reach its data folder
        self.undo = []
        self.hosts = {}
        self.env = {}

    # -- life cycle ---------------------------------------------------------------------------------------------
    def start(self):
        self.build_network()
        self.start_postgres()
        self.start_redis()
        self.env = self.app_env()
        self.seed = self.load_data()
        for name in HOSTS:
            self.start_host(name)
        for name in HOSTS:
            self.wait_for_host(name)
        self.start_nginx()
        return self

    def stop(self):
        """Undo everything in reverse order; one failing undo does not stop the others."""
        errors = []
        while self.undo:
            step = self.undo.pop()
            try:
                step()
            except Exception as err:  # keep tearing down
                errors.append(f"{step}: {err}")
        shutil.rmtree(self.tmp, ignore_errors=True)
        return errors

    def later(self, fn, *args, **kw):
        self.undo.append(lambda: fn(*args, **kw))

    def ns(self, name):
        return f"shop{self.pid}{name}"

    # -- network ------------------------------------------------------------------------------------------------
    def build_network(self):
        self.subnet = free_subnet(self.pid)
        self.gateway = f"{self.subnet}.1"
        bridge = f"shbr{self.pid}"
        run("ip", "link", "add", bridge, "type", "bridge")
        self.later(subprocess.run, ["ip", "link", "del", bridge], capture_output=True)
        run("ip", "addr", "add", f"{self.gateway}/24", "dev", bridge)
        run("ip", "link", "set", bridge, "up")
        for number, name in enumerate(HOSTS, start=2):
            self.add_namespace(name, bridge, f"{self.subnet}.{number}")

    def add_namespace(self, name, bridge, address):
        ns, outer, inner = self.ns(name), f"sh{self.pid}{name}", f"sn{self.pid}{name}"
        run("ip", "netns", "add", ns)
        self.later(subprocess.run, ["ip", "netns", "del", ns], capture_output=True)
        run("ip", "link", "add", outer, "type", "veth", "peer", "name", inner)
        self.later(subprocess.run, ["ip", "link", "del", outer], capture_output=True)
        run("ip", "link", "set", inner, "netns", ns)
        run("ip", "link", "set", outer, "master", bridge, "up")
        for args in (("addr", "add", f"{address}/24", "dev", inner), ("link", "set", inner, "up"),
                     ("link", "set", "lo", "up")):
            run("ip", "netns", "exec", ns, "ip", *args)
        self.hosts[name] = {"ns": ns, "address": address}

    # -- PostgreSQL and Redis -----------------------------------------------------------------------------------
    def start_postgres(self):
        self.pg_bin = bindir = os.path.dirname(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))[-1])
        data = os.path.join(self.tmp, "pg")
        os.mkdir(data, 0o700)
        shutil.chown(data, "postgres", "postgres")
        run(f"{bindir}/initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8",
            "--no-sync", user="postgres", cwd=data)
        with open(os.path.join(data, "pg_hba.conf"), "a") as hba:
            hba.write(f"host all all {self.subnet}.0/24 trust\n")
        port, log = free_port(self.gateway), os.path.join(data, "server.log")
        settings = {"listen_addresses": self.gateway, "port": port, "unix_socket_directories": data, "fsync": "off",
                    "synchronous_commit": "off", "full_page_writes": "off", "max_connections": 80}
        opts = [arg for k, v in settings.items() for arg in ("-c", f"{k}={v}")]
        proc = subprocess.Popen([f"{bindir}/postgres", "-D", data, *opts], user="postgres", cwd=data,
                                stdout=open(log, "w"), stderr=subprocess.STDOUT)
        self.later(stop_process, proc, signal.SIGINT)  # fast shutdown
        self.database_url = f"postgresql+psycopg://postgres@{self.gateway}:{port}/postgres"
        self.pg_args = ["-h", self.gateway, "-p", str(port), "-U", "postgres"]
        wait_until(lambda: run(f"{bindir}/pg_isready", "-h", self.gateway, "-p", port) is not None,
                   "postgres", proc=proc, log=log)

    def start_redis(self):
        port, log = free_port(self.gateway), os.path.join(self.tmp, "redis.log")
        proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", self.gateway, "--save", "",
                                 "--appendonly", "no", "--protected-mode", "no", "--dir", self.tmp],
                                stdout=open(log, "w"), stderr=subprocess.STDOUT)
        self.later(stop_process, proc)
        self.redis_url = f"redis://{self.gateway}:{port}/0"
        import redis

        wait_until(lambda: redis.Redis.from_url(self.redis_url).ping(), "redis", proc=proc, log=log)

    # -- the app ------------------------------------------------------------------------------------------------
    def app_env(self):
        """The environment every host and command gets: the same database, Redis, secret and instance folder (the
        sandbox gateway's keys live there, so a notification signed for one host verifies on the other)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("SHOP_")}
        instance = os.path.join(self.tmp, "instance")
        os.mkdir(instance)
        env.update(SHOP_DATABASE_URL=self.database_url, SHOP_REDIS_URL=self.redis_url, SHOP_INSTANCE_PATH=instance,
                   SHOP_SECRET_KEY=f"multi-host-secret-{self.pid}", SHOP_PROXY_HOPS="1", PYTHONPATH=ROOT,
                   SHOP_LOG_FORMAT="json",
                   SHOP_BASE_URL="http://127.0.0.1")
        return env

    def load_data(self):
        """Migrations once, then the test's data, through the app's own services (tests/hosts/seed.py)."""
        import json

        out = run(os.path.join(VENV_BIN, "python"), "-m", "tests.hosts.seed", env=self.env, cwd=ROOT, timeout=120)
        return json.loads(out.strip().splitlines()[-1])

    def start_host(self, name):
        host = self.hosts[name]
        log = os.path.join(self.tmp, f"gunicorn-{name}.log")
        cmd = ["ip", "netns", "exec", host["ns"], os.path.join(VENV_BIN, "gunicorn"), "-w", "2",
               "-b", f"{host['address']}:{APP_PORT}", "--graceful-timeout", "2", "wsgi:app"]
        proc = subprocess.Popen(cmd, env={**self.env, "SHOP_HOST_NAME": name}, cwd=ROOT, stdout=open(log, "w"),
                                stderr=subprocess.STDOUT, start_new_session=True)  # its own group: kill it whole
        self.later(stop_process, proc, group=True)
        host.update(proc=proc, log=log, url=f"http://{host['address']}:{APP_PORT}")

    def wait_for_host(self, name):
        host = self.hosts[name]
        wait_until(lambda: requests.get(host["url"] + "/healthz", timeout=2).status_code == 200,
                   f"gunicorn {name}", timeout=60, proc=host["proc"], log=host["log"])

    def log_lines(self, name):
        """The JSON lines host `name` has logged so far (gunicorn's own text lines left out)."""
        import json

        with open(self.hosts[name]["log"], encoding="utf-8", errors="replace") as f:
            return [json.loads(line) for line in f if line.startswith("{")]

    def kill_host(self, name):
        """SIGKILL a host's gunicorn master and workers at once, as a crashed machine would."""
        os.killpg(self.hosts[name]["proc"].pid, signal.SIGKILL)
        self.hosts[name]["proc"].wait(10)

    def flask(self, name, *args):
        """Start `flask shop ...` inside host `name`'s namespace; returns the Popen (text output)."""
        cmd = ["ip", "netns", "exec", self.hosts[name]["ns"], os.path.join(VENV_BIN, "flask"), "--app", "wsgi",
               *args]
        return subprocess.Popen(cmd, env={**self.env, "SHOP_HOST_NAME": name}, cwd=ROOT, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def flask_everywhere(self, *args):
        """The same command started on every host at the same moment; {host: (exit code, output)}."""
        procs = {name: self.flask(name, *args) for name in HOSTS}
        return {name: (proc.wait(120), proc.stdout.read()) for name, proc in procs.items()}

    # -- nginx --------------------------------------------------------------------------------------------------
    def start_nginx(self):
        prefix = os.path.join(self.tmp, "nginx")
        os.mkdir(prefix)
        self.port = free_port("127.0.0.1")
        upstreams = "".join(f"    server {h['address']}:{APP_PORT} max_fails=1 fail_timeout=10s;\n"
                            for h in self.hosts.values())
        conf = os.path.join(prefix, "nginx.conf")
        with open(os.path.join(os.path.dirname(__file__), "nginx.conf.in"), encoding="utf-8") as f:
            text = f.read()
        for key, value in {"PREFIX": prefix, "UPSTREAMS": upstreams, "PORT": self.port}.items():
            text = text.replace("{" + key + "}", str(value))
        with open(conf, "w", encoding="utf-8") as f:
            f.write(text)
        log = os.path.join(prefix, "error.log")
        proc = subprocess.Popen(["nginx", "-p", prefix, "-e", log, "-c", conf, "-g", "daemon off;"],
                                stdout=open(os.path.join(prefix, "stdout.log"), "w"), stderr=subprocess.STDOUT)
        self.later(stop_process, proc, signal.SIGQUIT)
        self.url = f"http://127.0.0.1:{self.port}"
        wait_until(lambda: requests.get(self.url + "/login", timeout=2).status_code == 200, "nginx",
                   proc=proc, log=log)


def csrf_token(html):
    """The first form's CSRF token in a page."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no csrf_token in the page"
    return match.group(1)
