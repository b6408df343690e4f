#!/usr/bin/env python3
"""A local Lambda Runtime API for cold-start measurements (standard library only).

Starts a binary N times, each as a fresh process under this Runtime API, and for each run:
  init     time from just before the process is spawned to its first
           GET /2018-06-01/runtime/invocation/next (what Lambda reports as Init Duration);
           also, from /proc/PID/task/*/schedstat at that moment, how much of it the process
           spent on a CPU and how much waiting for one (background load shows up there);
  invoke   time from handing it the event to its POST .../response or .../error;
  peak RSS VmHWM from /proc/PID/status once the reply is in (the process is then parked
           in its next GET /next, as Lambda would freeze it) before it is killed.

usage: runtime_api.py --binary PATH --event FILE [--runs 20] [--expect response|error]
                      [--json OUT] [--label TEXT]
       runtime_api.py --case LABEL BINARY [KEY=VALUE ...] --case ... --event FILE
  Several --case are started in turn (A B C A B C ...), so background load on a shared
  machine falls on each alike; KEY=VALUE adds to that case's environment.
The process inherits this script's environment; AWS_LAMBDA_RUNTIME_API is set here.
Init includes spawning the process (fork/exec from Python): bench/floor.rs measures that floor.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/2018-06-01/runtime"


class Run:
    """What one process did, filled in by the request handlers."""

    def __init__(self, event: bytes):
        self.event = event
        self.request_id = str(uuid.uuid4())
        self.first_next = None  # perf_counter_ns of the first GET /next
        self.handed = None  # when the event was written back
        self.replied = None  # when the response/error arrived
        self.kind = None  # "response" | "error" | "init-error"
        self.body = b""
        self.next_calls = 0
        self.got_first = threading.Event()
        self.got_reply = threading.Event()
        self.release = threading.Event()  # set when the run is over: parked GET /next returns
        self.pid = None
        self.pid_known = threading.Event()
        self.sched = None  # (on-CPU ns, run-queue wait ns) of the process at its first GET /next


class Api(ThreadingHTTPServer):
    """One server (and port) per run, so a request from a killed process can never be
    taken for the next process's first call."""

    daemon_threads = True

    def __init__(self, run):
        super().__init__(("127.0.0.1", 0), Handler)
        self.run = run

    def handle_error(self, request, client_address):
        # The process is killed while parked in GET /next: a reset connection is expected.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *_):
        pass

    def _reply(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_GET(self):
        now = time.perf_counter_ns()
        run = self.server.run
        if self.path != PREFIX + "/invocation/next":
            return self._reply(404)
        run.next_calls += 1
        if run.next_calls > 1:
            # The invocation is done: hold this call like a frozen sandbox until the run ends.
            run.release.wait()
            return self._reply(410)
        run.first_next = now
        # The process now waits for this reply: its scheduler counters are settled.
        if run.pid_known.wait(5):
            run.sched = schedstat(run.pid)
        run.got_first.set()
        deadline = int(time.time() * 1000) + 30_000
        headers = [
            ("Content-Type", "application/json"),
            ("Lambda-Runtime-Aws-Request-Id", run.request_id),
            ("Lambda-Runtime-Deadline-Ms", str(deadline)),
            ("Lambda-Runtime-Invoked-Function-Arn",
             "arn:aws:lambda:us-east-1:123456789012:function:"
             + os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "bench")),
            ("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0"),
        ]
        run.handed = time.perf_counter_ns()
        self._reply(200, run.event, headers)

    def do_POST(self):
        now = time.perf_counter_ns()
        run = self.server.run
        body = self._body()
        if self.path == f"{PREFIX}/invocation/{run.request_id}/response":
            run.kind = "response"
        elif self.path == f"{PREFIX}/invocation/{run.request_id}/error":
            run.kind = "error"
        elif self.path == PREFIX + "/init/error":
            run.kind = "init-error"
        else:
            return self._reply(404)
        run.replied = now
        run.body = body
        self._reply(202, b'{"status":"OK"}', [("Content-Type", "application/json")])
        if run.kind == "init-error":
            run.got_first.set()  # no GET /next is coming
        run.got_reply.set()


def schedstat(pid):
    """Time on CPU and time waiting for a CPU (ns), summed over the process's threads.
    Unlike wall time, on-CPU time hardly moves when other work shares the machine."""
    cpu = wait = 0
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                    a, b, _ = f.read().split()
                cpu, wait = cpu + int(a), wait + int(b)
            except (FileNotFoundError, ValueError):
                pass
    except FileNotFoundError:
        return None
    return cpu, wait


def vm_hwm_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return None


def pct(values, p):
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def wait_while_alive(proc, event, timeout):
    """Waits for event, giving up early if the process exits (e.g. a failed init)."""
    deadline = time.monotonic() + timeout
    while not event.wait(0.02):
        if proc.poll() is not None or time.monotonic() > deadline:
            return event.is_set()
    return True


def run_once(binary, extra_env, event, timeout, expect, tag):
    run = Run(event)
    server = Api(run)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = dict(os.environ, **extra_env,
               AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{server.server_address[1]}")
    t0 = time.perf_counter_ns()
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    run.pid = proc.pid
    run.pid_known.set()
    ok = wait_while_alive(proc, run.got_first, timeout) and wait_while_alive(
        proc, run.got_reply, timeout)
    hwm = vm_hwm_kib(proc.pid) if proc.poll() is None else None
    proc.send_signal(signal.SIGKILL)
    run.release.set()
    _, err = proc.communicate()
    server.shutdown()
    server.server_close()
    if run.kind == "init-error":
        sys.exit(f"{tag}: init failed: {run.body[:500]!r}\nstderr:\n{err.decode()[-2000:]}")
    if not ok:
        sys.exit(f"{tag}: no reply (exit {proc.returncode}); stderr:\n{err.decode()[-2000:]}")
    if expect != "any" and run.kind != expect:
        sys.exit(f"{tag}: expected {expect}, got {run.kind}: {run.body[:500]!r}\n"
                 f"stderr:\n{err.decode()[-2000:]}")
    return {
        "init_ms": (run.first_next - t0) / 1e6,
        "invoke_ms": (run.replied - run.handed) / 1e6,
        "init_cpu_ms": run.sched[0] / 1e6 if run.sched else None,
        "init_runq_ms": run.sched[1] / 1e6 if run.sched else None,
        "peak_rss_kib": hwm,
        "kind": run.kind,
        "reply": run.body[:300].decode(errors="replace"),
    }


def stats(values):
    return {"median": statistics.median(values), "p90": pct(values, 90),
            "min": min(values), "max": max(values)}


def summarize(label, results):
    init = [r["init_ms"] for r in results]
    inv = [r["invoke_ms"] for r in results]
    total = [r["init_ms"] + r["invoke_ms"] for r in results]
    rss = [r["peak_rss_kib"] / 1024 for r in results if r["peak_rss_kib"]]
    cpu = [r["init_cpu_ms"] for r in results if r["init_cpu_ms"] is not None]
    runq = [r["init_runq_ms"] for r in results if r["init_runq_ms"] is not None]
    summary = {
        "label": label,
        "runs": len(results),
        "init_ms": stats(init),
        "init_cpu_ms": stats(cpu) if cpu else None,
        "init_runq_ms": stats(runq) if runq else None,
        "invoke_ms": stats(inv),
        "init_plus_invoke_ms": stats(total),
        "peak_rss_mib": stats(rss) if rss else None,
    }
    print(f"{label}: {len(results)} cold starts")
    print("  init (spawn -> first GET /next): median {median:.2f} ms, p90 {p90:.2f} ms, "
          "min {min:.2f}, max {max:.2f}".format(**summary["init_ms"]))
    if cpu:
        print("  init on CPU (schedstat): median {median:.2f} ms, p90 {p90:.2f} ms, "
              "min {min:.2f}, max {max:.2f}".format(**summary["init_cpu_ms"]))
        print("  init waiting for a CPU: median {median:.2f} ms, p90 {p90:.2f} ms, "
              "max {max:.2f}".format(**summary["init_runq_ms"]))
    print("  first invocation (event -> reply): median {median:.2f} ms, p90 {p90:.2f} ms, "
          "min {min:.2f}, max {max:.2f}".format(**summary["invoke_ms"]))
    print("  init + first invocation: median {median:.2f} ms, p90 {p90:.2f} ms, "
          "min {min:.2f}, max {max:.2f}".format(**summary["init_plus_invoke_ms"]))
    if rss:
        print("  peak RSS (VmHWM): median {median:.2f} MiB, max {max:.2f} MiB"
              .format(**summary["peak_rss_mib"]))
    return summary


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", help="the one binary to start (or use --case)")
    ap.add_argument("--case", nargs="+", action="append", default=[],
                    metavar=("LABEL BINARY", "KEY=VALUE"),
                    help="a labelled binary plus extra environment; several --case are run "
                         "interleaved (A B C A B C ...) so background load hits each alike")
    ap.add_argument("--event", required=True)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--expect", choices=["response", "error", "any"], default="any")
    ap.add_argument("--json", help="write every run's figures here")
    ap.add_argument("--label", default="")
    ap.add_argument("--timeout", type=float, default=30.0)
    args = ap.parse_args()

    cases = []
    if args.binary:
        cases.append((args.label or args.binary, args.binary, {}))
    for c in args.case:
        if len(c) < 2:
            ap.error("--case needs LABEL BINARY [KEY=VALUE ...]")
        env = dict(kv.split("=", 1) for kv in c[2:])
        cases.append((c[0], c[1], env))
    if not cases:
        ap.error("give --binary or --case")

    with open(args.event, "rb") as f:
        event = f.read()
    results = {label: [] for label, _, _ in cases}
    for i in range(args.runs):
        for label, binary, env in cases:
            r = run_once(binary, env, event, args.timeout, args.expect, f"{label} run {i}")
            if i == 0:
                print(f"  {label}: first reply ({r['kind']}): {r['reply']}", file=sys.stderr)
            results[label].append(r)

    out = {label: {"summary": summarize(label, rs), "runs": rs} for label, rs in results.items()}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
