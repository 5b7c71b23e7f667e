"""The load and fault tests: a mall of its own (bench/loadkit/stack.py): a PostgreSQL cluster started with initdb,
a redis-server and gunicorn on free 127.0.0.1 ports, torn down by finalizers. They never touch the shared
PostgreSQL or Redis, and run once, in the PostgreSQL pass of the suite (SHOP_TEST_DATABASE_URL set)."""
import itertools
import os

import pytest

from bench.loadkit import seed as seeding
from bench.loadkit.stack import Stack, missing_tools

HERE = os.path.dirname(os.path.abspath(__file__))
_databases = itertools.count(1)


def pytest_collection_modifyitems(config, items):
    missing = missing_tools()
    reason = (f"needs {', '.join(missing)} (PostgreSQL server tools and redis-server) to start a mall of its own"
              if missing else None if os.environ.get("SHOP_TEST_DATABASE_URL") else
              "runs in the PostgreSQL pass only (SHOP_TEST_DATABASE_URL unset); it starts its own cluster")
    if reason:
        for item in items:
            if item.path.parent == __import__("pathlib").Path(HERE):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def db():
    """These tests use their own cluster: the suite's shared database and its cleanup are not involved."""
    yield None


@pytest.fixture(scope="session")
def stack():
    built = Stack()
    try:
        yield built.start()
    finally:
        built.stop()


class Mall:
    """One test's mall: a fresh database cloned from the migrated template, the app in-process, seeded data,
    and gunicorn servers started on it (stopped by the stack, or by `stop_servers`)."""

    def __init__(self, stack, name):
        self.stack, self.database = stack, stack.new_database(name)
        self.app = stack.app(self.database)
        self.seeded = seeding.seed(self.app, shoppers=4, chains=2, products=4)
        self.servers = []

    def gunicorn(self, redis_url=None, config=None, **env):
        server = self.stack.gunicorn(self.stack.env(self.database, redis_url=redis_url, **env), config=config)
        self.servers.append(server)
        return server

    def stop_servers(self):
        for server in self.servers:
            server.stop()


@pytest.fixture
def mall(stack):
    built = Mall(stack, f"fault_{next(_databases)}")
    yield built
    built.stop_servers()
