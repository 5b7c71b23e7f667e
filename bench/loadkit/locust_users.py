"""The load mix driven by locust: one locust user per virtual shopper or distributor, each running the same actor
as the threaded client (bench/loadkit/client.py: browse, order through the cart or 立即购买, pay through the
sandbox with duplicate and concurrent notifications, refunds approved by the owner, withdrawals paid by finance).
Locust spawns the users, schedules them on gevent and keeps its statistics per kind of request; the actors' own
Recorder keeps what the checks need (every bad answer with its body).

A process of its own, started by bench/loadkit/swarm.py with the environment of the gunicorn under load (its
database and instance folder: the in-process gateway signs with the same sandbox keys), because importing locust
patches the standard library with gevent:

    python -m bench.loadkit.locust_users --base URL --seeded FILE --seconds N --shoppers S --distributors D --out FILE
"""
# ruff: noqa: E402, I001  (locust first: importing it patches the standard library with gevent)
from locust import HttpUser, constant, task
from locust.clients import HttpSession
from locust.env import Environment

import argparse
import itertools
import json
import time

import gevent

from bench.loadkit import client, seed

RUN = {}  # what every user of this process shares: app, seeded data, recorder, gateway, seed, deadline


def connect(user):
    """A new browser for `user`: a locust session (reported to the run's statistics) in the loadkit Client."""
    base = RUN["base"]
    return lambda: client.Client(base, RUN["rec"], http=HttpSession(base, RUN["env"].events.request, user))


class ActorUser(HttpUser):
    """A locust user running one loadkit actor (made by `make`) step by step until the run's deadline."""
    abstract = True
    wait_time = constant(0)

    def make(self, number):
        raise NotImplementedError

    def on_start(self):
        self.actor = self.make(next(self.numbers))
        self.actor.start()

    @task
    def step(self):
        if time.monotonic() < RUN["deadline"]:
            self.actor.step()
        else:
            gevent.sleep(0.2)


class ShopperUser(ActorUser):
    numbers = itertools.count()

    def make(self, number):
        return client.shopper(number, connect(self), RUN["gateway"], RUN["seeded"], seed.PASSWORD, RUN["seed"])


class DistributorUser(ActorUser):
    numbers = itertools.count()

    def make(self, number):
        return client.distributor(number, connect(self), RUN["app"], RUN["seeded"], seed.PASSWORD, RUN["seed"])


def locust_rows(stats):
    """Locust's own table: per kind of request, its count, failures, percentiles (ms) and rate."""
    rows = []
    for entry in sorted(stats.entries.values(), key=lambda e: (e.name, e.method)):
        rows.append({"name": entry.name, "method": entry.method, "requests": entry.num_requests,
                     "failures": entry.num_failures, "p50": entry.get_response_time_percentile(0.5),
                     "p90": entry.get_response_time_percentile(0.9), "p99": entry.get_response_time_percentile(0.99),
                     "rps": round(entry.total_rps, 2)})
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser()
    for name in ("--base", "--seeded", "--out"):
        parser.add_argument(name, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--shoppers", type=int, default=8)
    parser.add_argument("--distributors", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    from shop import create_app

    app = create_app({"RATELIMIT_ENABLED": False,
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "pool_size": 20, "max_overflow": 20}})
    with open(args.seeded) as handle:
        seeded = seed.Seeded(**json.load(handle))
    rec = client.Recorder()
    ShopperUser.fixed_count, DistributorUser.fixed_count = args.shoppers, args.distributors
    # stop_timeout: a user stopping finishes the action it is in (an order paid at the gateway is also notified).
    env = Environment(user_classes=[ShopperUser, DistributorUser], host=args.base, stop_timeout=180)
    RUN.update(app=app, base=args.base, seeded=seeded, rec=rec, env=env, seed=args.seed,
               deadline=time.monotonic() + args.seconds)
    RUN["gateway"] = client.Gateway(app, args.base, rec, connect=connect(None))
    env.create_local_runner()
    env.runner.start(args.shoppers + args.distributors, spawn_rate=100)
    gevent.spawn_later(args.seconds, env.runner.quit)
    env.runner.greenlet.join()
    with open(args.out, "w") as handle:
        json.dump({"samples": rec.samples, "bad": rec.bad, "outcomes": rec.outcomes,
                   "locust": locust_rows(env.stats), "exceptions": [str(e) for e in env.runner.exceptions.values()]},
                  handle)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
