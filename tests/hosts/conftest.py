"""The multi-host test builds its own PostgreSQL, Redis, hosts and nginx (cluster.py): it needs none of the
in-process app of tests/conftest.py, so its autouse fixtures are replaced here by ones that do nothing."""
import pytest

from tests.hosts.cluster import Cluster, missing_requirement


@pytest.fixture(autouse=True)
def db():
    """No in-process app here: the hosts are real processes."""
    yield None


@pytest.fixture(scope="session", autouse=True)
def fresh_context_clients():
    """Nothing to configure: no Flask test client is used here."""


@pytest.fixture(scope="module")
def cluster(request):
    """The running mall: two hosts behind nginx; torn down whatever happens (the finalizer runs even when
    start() failed half-way)."""
    reason = missing_requirement()
    if reason:
        pytest.skip(f"multi-host test skipped: {reason}")
    mall = Cluster()
    request.addfinalizer(lambda: _report_teardown(mall.stop()))
    return mall.start()


def _report_teardown(errors):
    assert errors == [], f"teardown left something behind: {errors}"
