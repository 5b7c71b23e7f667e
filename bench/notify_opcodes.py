#!/usr/bin/env python
"""Python bytecodes a payment notification executes, and who asks for them: a count that does not move with the
machine, to find what to cut in the notification path (notify_instructions.py then says what a cut is worth).

Sampling profilers mix the CPU with the waits on PostgreSQL, and cProfile inflates small functions. Here the mall's
WSGI app (the one wsgi.py builds) takes --warm sandbox notifications, then --count more under `sys.settrace` with
`frame.f_trace_opcodes`, which sees every bytecode. Each one is counted for its function, for its library
(psycopg, sqlalchemy, werkzeug, flask, the standard library, each package of shop/), and, when it runs in a
library, for the first mall function up the stack that asked for it. psycopg's share is what the psycopg floor of
notify_bench.py pays too; the rest is the app's own. C work (libpq, the signature check, json, logging's writes) is
not counted: notify_instructions.py counts everything.

    .venv/bin/python bench/notify_opcodes.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

PostgreSQL only; about a minute. The orders are notify_instructions.py's (300 buyers, 4 chains, 3-level rules):
the first 300 paid are buyers' first orders, the rest repeat orders, so --warm 300 measures repeat orders only. The
schemas bench_nops_<pid> and bench_nops_<pid>_run are dropped at the end.

This is a script that prints figures, not a test: pytest never collects it (testpaths = tests).
"""
import argparse
import collections
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

LIBRARIES = ("psycopg", "sqlalchemy", "flask_sqlalchemy", "werkzeug", "flask", "jinja2", "blinker", "babel",
             "flask_babel", "flask_login", "flask_wtf", "prometheus_client", "cryptography")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("SHOP_BENCH_DATABASE_URL"),
                        help="a PostgreSQL URL (default SHOP_BENCH_DATABASE_URL)")
    parser.add_argument("--count", type=int, default=150, help="notifications counted (default 150)")
    parser.add_argument("--warm", type=int, default=50, help="notifications sent first, not counted (default 50)")
    parser.add_argument("--inclusive", action="store_true",
                        help="also count each mall function's inclusive opcodes (slower: use a small --count)")
    parser.add_argument("--top", type=int, default=30, help="rows of each table (default 30)")
    parser.add_argument("--child", metavar="JSON", help=argparse.SUPPRESS)  # the measured process
    args = parser.parse_args(argv)
    if not args.child and not (args.database_url or "").startswith("postgresql"):
        parser.error("--database-url takes a PostgreSQL URL (postgresql+psycopg://...)")
    if args.count < 1 or args.warm < 1:
        parser.error("need --count >= 1 and --warm >= 1")
    return args


def where(filename):
    """(library or shop package, short file name) of a code object's file."""
    tail = filename.split("site-packages" + os.sep)[-1]
    if tail != filename:
        top = tail.split(os.sep)[0]
        return (top if top in LIBRARIES else "other libraries"), tail
    if filename.startswith(ROOT + os.sep):
        rel = os.path.relpath(filename, ROOT)
        parts = rel.split(os.sep)
        return (os.path.join(*parts[:2]) if parts[0] == "shop" else parts[0]), rel  # shop/statements.py, shop/wallet
    return "standard library", os.path.basename(filename)


class Counter:
    """The trace function: opcodes by code object, and library opcodes by the mall function that asked."""

    def __init__(self, inclusive=False):
        self.by_code, self.asked = collections.Counter(), collections.Counter()
        self.inclusive = collections.Counter() if inclusive else None
        self._places = {}

    def place(self, code):
        found = self._places.get(code)
        if found is None:
            found = self._places[code] = where(code.co_filename)
        return found

    def trace(self, frame, event, arg):
        frame.f_trace_opcodes = True
        return self.local

    def local(self, frame, event, arg):
        if event == "opcode":
            code = frame.f_code
            self.by_code[code] += 1
            if not self.place(code)[0].startswith("shop"):
                caller = frame.f_back
                while caller is not None and not self.place(caller.f_code)[0].startswith("shop"):
                    caller = caller.f_back
                if caller is not None:
                    self.asked[(self.place(code)[0], caller.f_code)] += 1
            if self.inclusive is not None:
                self.count_inclusive(frame)
        return self.local

    def count_inclusive(self, frame):
        """The opcode counts for every mall function on the stack (once each, however deep it recurses)."""
        seen = set()
        while frame is not None:
            code = frame.f_code
            if code not in seen and self.place(code)[0].startswith("shop"):
                seen.add(code)
                self.inclusive[code] += 1
            frame = frame.f_back


def measured_run(spec_path):
    """The counted process: the app from wsgi.py, --warm notifications, then --count under the trace."""
    spec = json.load(open(spec_path))
    os.environ.update(SHOP_DATABASE_URL=spec["app_url"], SHOP_INSTANCE_PATH=spec["instance"],
                      SHOP_SECRET_KEY="bench-secret", SHOP_RATELIMIT_ENABLED="0", SHOP_PAYMENT_GATEWAY="sandbox")
    import notify_bench
    from werkzeug.test import EnvironBuilder

    import wsgi

    notes = notify_bench.build_notifications(wsgi.app, spec["orders"], label=None)
    environs = [EnvironBuilder(path="/pay/notify/sandbox", method="POST", headers=headers, data=body,
                               environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_environ() for headers, body in notes]
    failed = []

    def send(environ):
        status = []
        answer = wsgi.app(environ, lambda code, response_headers, exc_info=None: status.append(code))
        b"".join(answer)
        getattr(answer, "close", lambda: None)()
        if not status[0].startswith("204"):
            failed.append(status[0])

    for environ in environs[:spec["warm"]]:
        send(environ)
    counter = Counter(spec.get("inclusive", False))
    sys.settrace(counter.trace)
    for environ in environs[spec["warm"]:]:
        send(environ)
    sys.settrace(None)
    n = len(environs) - spec["warm"]
    functions = [[*counter.place(code), code.co_firstlineno, code.co_name, count / n]
                 for code, count in counter.by_code.items()]
    asked = [[library, *counter.place(code)[1:], code.co_name, count / n]
             for (library, code), count in counter.asked.items()]
    inclusive = [[*counter.place(code)[1:], code.co_firstlineno, code.co_name, count / n]
                 for code, count in (counter.inclusive or {}).items()]
    print(json.dumps({"failed": failed, "functions": functions, "asked": asked, "inclusive": inclusive}))


def report(outcome, top):
    functions = outcome["functions"]
    total = sum(row[-1] for row in functions)
    by_library = collections.Counter()
    for library, _file, _line, _name, count in functions:
        by_library[library] += count
    print(f"\nPython opcodes per notification: {total:,.0f}\n\nby library or mall package:")
    for library, count in by_library.most_common(top):
        print(f"  {count:9,.0f}  {count / total * 100:5.1f} %  {library}")
    print("\nby function (its own opcodes):")
    for _library, file, line, name, count in sorted(functions, key=lambda row: -row[-1])[:top]:
        print(f"  {count:9,.0f}  {count / total * 100:5.1f} %  {file}:{line} {name}")
    print("\nlibrary opcodes by the mall function that asked for them:")
    for library, file, name, count in sorted(outcome["asked"], key=lambda row: -row[-1])[:top]:
        print(f"  {count:9,.0f}  {count / total * 100:5.1f} %  {library:<18} <- {file} {name}")
    if outcome.get("inclusive"):
        print("\nmall functions, inclusive (their own opcodes and everything they call):")
        for file, line, name, count in sorted(outcome["inclusive"], key=lambda row: -row[-1])[:top]:
            print(f"  {count:9,.0f}  {count / total * 100:5.1f} %  {file}:{line} {name}")


def main(argv=None):
    args = parse_args(argv)
    if args.child:
        return measured_run(args.child)
    import notify_instructions

    with notify_instructions.bench_schemas(args.database_url, "bench_nops", args.warm + args.count) as \
            (spec, tmpdir, refresh):
        refresh()
        spec_path = os.path.join(tmpdir, "spec.json")
        json.dump(dict(spec, warm=args.warm, inclusive=args.inclusive), open(spec_path, "w"))
        done = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", spec_path], cwd=ROOT,
                              capture_output=True, text=True)
        lines = done.stdout.strip().splitlines()
        if done.returncode != 0 or not lines:
            raise RuntimeError(f"the counted run failed ({done.returncode}):\n{done.stderr[-3000:]}")
        outcome = json.loads(lines[-1])
        if outcome["failed"]:
            raise RuntimeError(f"{len(outcome['failed'])} notifications were not answered 204: {outcome['failed'][:3]}")
        first = sum(notify_instructions.first_paid(spec["orders"])[args.warm:])
        print(f"counted: {args.count} notifications, {first} of them buyers' first paid orders (23 statements), "
              f"{args.count - first} repeat orders (17)")
        report(outcome, args.top)
        return 0

if __name__ == "__main__":
    sys.exit(main())
