"""`--fake-now INSTANT`: the suite runs as if the clock started at INSTANT and ticked on from there (time-machine),
so the calendar's edges (a month's last night, Sunday night, the 1st after midnight, China time) are tested whenever
the suite runs; .ci/run runs the folders that count days, weeks and months at two such instants. Loaded by
pytest.ini (`-p tests.fake_clock`)."""
import os

import pytest


def pytest_addoption(parser):
    parser.addoption("--fake-now", metavar="INSTANT",
                     help="run the tests as if the clock started at INSTANT (ISO 8601 with its offset, e.g. "
                          "2026-12-31T23:40+08:00) and ticked on from there: the calendar edges (a month's last "
                          "night, Sunday night, the 1st after midnight) whenever the suite runs. SQLite only: "
                          "PostgreSQL's own clock would not move with it")


def pytest_configure(config):
    instant = config.getoption("--fake-now")
    if not instant:
        return
    if os.environ.get("SHOP_TEST_DATABASE_URL"):
        raise pytest.UsageError("--fake-now runs on SQLite only (unset SHOP_TEST_DATABASE_URL): PostgreSQL's now() "
                                "keeps the real time")
    import time_machine

    config._fake_clock = time_machine.travel(instant, tick=True)
    config._fake_clock.start()


def pytest_unconfigure(config):
    clock = getattr(config, "_fake_clock", None)
    if clock is not None:
        clock.stop()


def pytest_report_header(config):
    instant = config.getoption("--fake-now")
    return f"clock: starts at {instant} (--fake-now)" if instant else None
