"""A mall of its own on loopback: a PostgreSQL cluster (initdb into a temporary directory), a redis-server and
gunicorn, each on a free 127.0.0.1 port, all torn down by stop(). Used by bench/load.py and tests/load/.

Nothing here touches the shared PostgreSQL (5432) or Redis (6379): every process is started here, and only
those are stopped, by their own pid or data directory.
"""
import http.client
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV_BIN = os.path.join(ROOT, ".venv", "bin")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def missing_tools():
    """What this machine lacks to build the stack (empty when everything is there)."""
    return [tool for tool in ("initdb", "pg_ctl", "redis-server") if shutil.which(tool) is None]


def _as_postgres(cmd):
    """initdb refuses to run as root: run PostgreSQL's tools as the `postgres` OS user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def log_tail(path, lines=40):
    try:
        with open(path, "rb") as handle:
            return "\n".join(handle.read().decode(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class PgCluster:
    """A throw-away PostgreSQL cluster: trust auth, fsync off, on 127.0.0.1:<port>, socket in its own folder."""

    def __init__(self, root):
        self.root, self.port = root, free_port()
        self.data, self.log = os.path.join(root, "pgdata"), os.path.join(root, "postgres.log")

    def url(self, database="postgres"):
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _ctl(self, *args, check=True):
        return subprocess.run(_as_postgres(["pg_ctl", "-D", self.data, *args]), capture_output=True, text=True,
                              check=check, timeout=120)

    def start(self):
        os.makedirs(self.data, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
            shutil.chown(self.data, "postgres")
        subprocess.run(_as_postgres(["initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "--no-sync",
                                     "-E", "UTF8", "--locale", "C"]), capture_output=True, check=True, timeout=120)
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._ctl("-o", options, "-l", self.log, "-w", "start")
        return self

    def restart(self):
        """`pg_ctl restart -m fast`: every connection is cut, the server is back when this returns."""
        self._ctl("-l", self.log, "-m", "fast", "-w", "restart")

    def stop(self):
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            self._ctl("-m", "immediate", "-w", "stop", check=False)


class RedisServer:
    """redis-server on 127.0.0.1:<port>, nothing saved to disk."""

    def __init__(self, root):
        self.root, self.port, self.proc = root, free_port(), None
        self.log = os.path.join(root, f"redis-{self.port}.log")

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                          "--save", "", "--appendonly", "no", "--dir", self.root],
                                         stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.5).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"redis-server did not start:\n{log_tail(self.log)}")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Gunicorn:
    """gunicorn wsgi:app with `workers` sync-threaded workers; `config` a gunicorn config file (-c)."""

    def __init__(self, root, env, workers=2, threads=4, config=None):
        self.root, self.env, self.workers, self.threads, self.config = root, env, workers, threads, config
        self.port, self.proc = free_port(), None
        self.log = os.path.join(root, f"gunicorn-{self.port}.log")

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=60):
        cmd = [os.path.join(VENV_BIN, "gunicorn"), "-w", str(self.workers), "--threads", str(self.threads),
               "-b", f"127.0.0.1:{self.port}", "--graceful-timeout", "5",
               # Idle kept-alive connections stay open longer than a client thread's pause (nginx would hold them in
               # production): gunicorn's 2 s default closes some just as they are reused, a reset no browser shows.
               "--keep-alive", "20"]
        if self.config:
            cmd += ["-c", self.config]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(cmd + ["wsgi:app"], cwd=ROOT, env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout=60):
        """Until /healthz answers 200 and every worker is up."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}:\n{log_tail(self.log)}")
            if self.get("/healthz")[0] == 200 and len(self.worker_pids()) >= self.workers:
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn not ready after {timeout} s:\n{log_tail(self.log)}")

    def get(self, path, timeout=5):
        """(status, body) of a plain GET; (None, error) when nothing answered."""
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
            conn.request("GET", path)
            resp = conn.getresponse()
            body = resp.read()
            conn.close()
            return resp.status, body
        except (OSError, http.client.HTTPException) as exc:
            return None, str(exc).encode()

    def worker_pids(self):
        if self.proc is None:
            return []
        kids = []
        try:
            for task in os.listdir(f"/proc/{self.proc.pid}/task"):
                with open(f"/proc/{self.proc.pid}/task/{task}/children") as handle:
                    kids += [int(x) for x in handle.read().split()]
        except OSError:
            pass
        return kids

    def log_text(self):
        try:
            with open(self.log, "rb") as handle:
                return handle.read().decode(errors="replace")
        except OSError:
            return ""

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


class Stack:
    """PostgreSQL + Redis + an instance folder (sandbox keys shared with gunicorn) + the app in-process for
    seeding and checks. `database` is built by the migrations once; `new_database()` clones it (TEMPLATE)."""

    SECRET = "load-secret"

    def __init__(self, redis=True):
        self.root = tempfile.mkdtemp(prefix="shop-load-")
        os.chmod(self.root, 0o755)
        self.instance = os.path.join(self.root, "instance")
        os.makedirs(self.instance)
        self.pg = PgCluster(os.path.join(self.root, "pg"))
        self.redis = RedisServer(self.root) if redis else None
        self.servers, self.apps = [], []

    def start(self):
        os.makedirs(self.pg.root)
        self.pg.start()
        if self.redis:
            self.redis.start()
        self._run_sql("postgres", "CREATE DATABASE template_shop")
        app = self.app("template_shop")
        from flask_migrate import upgrade

        from shop.extensions import db

        with app.app_context():
            upgrade()
            db.session.remove()
            db.engine.dispose()
        return self

    def _run_sql(self, database, sql):
        import psycopg

        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.pg.port}/{database}", autocommit=True) as c:
            c.execute(sql)

    def new_database(self, name):
        """A database with the migrated schema, cloned from the template (no connection may hold the template)."""
        self._run_sql("postgres", f"CREATE DATABASE {name} TEMPLATE template_shop")
        return name

    def app(self, database, **config):
        """The app in this process, on `database`, sharing the instance folder (sandbox keys) with gunicorn."""
        os.environ["SHOP_INSTANCE_PATH"] = self.instance
        from shop import create_app

        values = {"SQLALCHEMY_DATABASE_URI": self.pg.url(database), "SECRET_KEY": self.SECRET,
                  "RATELIMIT_ENABLED": False, "SHOP_PAYMENT_GATEWAY": "sandbox",
                  "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "pool_size": 20, "max_overflow": 20}}
        values.update(config)
        app = create_app(values)
        self.apps.append(app)
        return app

    def env(self, database, redis_url=None, **extra):
        env = dict(os.environ, SHOP_DATABASE_URL=self.pg.url(database), SHOP_INSTANCE_PATH=self.instance,
                   SHOP_SECRET_KEY=self.SECRET, SHOP_PAYMENT_GATEWAY="sandbox", SHOP_RATELIMIT_ENABLED="0")
        if redis_url:
            env["SHOP_REDIS_URL"] = redis_url
        env.update(extra)
        return env

    def gunicorn(self, env, **kw):
        server = Gunicorn(self.root, env, **kw)
        self.servers.append(server)
        return server.start()

    def stop(self):
        for server in self.servers:
            server.stop()
        for app in self.apps:
            from shop.extensions import db

            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        if self.redis:
            self.redis.stop()
        self.pg.stop()
        shutil.rmtree(self.root, ignore_errors=True)
