#!/usr/bin/env python3
"""Kimiko's load benchmark: the release server against the mock Solana RPC
with the file outbox, driven by wrk, next to a bare axum "hello" server
measured in the same run as the baseline for what this machine can do.

    bench/run.sh            # builds release, runs 3 times, writes bench/results/latest.md

Each run measures requests/s and p50/p99 latency at 64 connections for the
pages kept as rendered (home, methodology, privacy, a 404 path, the cached
report page), an uncached report render, the report JSON, the card image and the submit endpoint (rate limits raised; 5xx and
"database is locked" counted), the server's peak RSS, and takes the queue
and analysis figures from their own benchmarks. Medians over the runs go in
a markdown table.
"""

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except Exception:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def rss_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class Server:
    def __init__(self, cmd, env=None, log=None):
        self.log = open(log, "w") if log else subprocess.DEVNULL
        self.proc = subprocess.Popen(cmd, env={**os.environ, **(env or {})}, stdout=self.log, stderr=self.log)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def parse_duration_ms(text):
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


# What a browser sends; pages served to it may come gzipped.
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}


def wrk_cmd(url, seconds, connections, script=None, headers=None, threads=2):
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    if script:
        cmd += ["-s", os.path.join(HERE, script)]
    return cmd + [url]


def wrk(url, seconds, connections, script=None, headers=None):
    out = subprocess.run(wrk_cmd(url, seconds, connections, script, headers), capture_output=True, text=True,
                         check=True).stdout
    return parse_wrk(out)


def wrk_together(urls, seconds, connections, script):
    """One wrk per URL, all started at once, `connections` shared out among
    them; each gets its own address prefix for submit.lua."""
    shares = [connections // len(urls) + (1 if i < connections % len(urls) else 0) for i in range(len(urls))]
    procs = [subprocess.Popen(wrk_cmd(url, seconds, share, script, threads=2 if len(urls) == 1 else 1), stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "SUBMIT_PREFIX": f"p{i}-"})
             for i, (url, share) in enumerate(zip(urls, shares))]
    outs = [proc.communicate()[0] for proc in procs]
    if any(proc.returncode for proc in procs):
        raise RuntimeError("a wrk run failed")
    return [parse_wrk(out) for out in outs]


def parse_wrk(out):
    result = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": parse_duration_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),
        "p99_ms": parse_duration_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
        "non_2xx_3xx": int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0,
        "errors_5xx": int(m.group(1)) if (m := re.search(r"status_5xx: (\d+)", out)) else 0,
    }
    if m := re.search(r"statuses: (.*)", out):
        result["statuses"] = m.group(1).strip()
    return result


def body_size(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request) as response:
        return len(response.read())


def submit_and_wait(base, wallet):
    body = f"wallet={wallet}&email=bench-seed%40example.com".encode()
    request = urllib.request.Request(f"{base}/api/request-report", data=body, method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
    with urllib.request.urlopen(request) as response:
        job = json.loads(response.read())
    for _ in range(600):
        with urllib.request.urlopen(f"{base}/api/jobs/{job}") as response:
            if json.loads(response.read())["status"] == "succeeded":
                return
        time.sleep(0.1)
    raise RuntimeError("the seed report did not finish")


def cargo_bench(name, features):
    out = subprocess.run(["cargo", "bench", "--quiet", "--features", features, "--bench", name],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return out


def start_kimiko(target, work, port, rpc_port, extra_env):
    env = {
        "LEPTOS_SITE_ADDR": f"127.0.0.1:{port}",
        "LEPTOS_SITE_ROOT": os.path.join(ROOT, "target/site"),
        "KIMIKO_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "KIMIKO_DATABASE_URL": f"sqlite://{work}/kimiko.db",
        "KIMIKO_OUTBOX_DIR": os.path.join(work, "outbox"),
        "KIMIKO_RPC_URLS": f"http://127.0.0.1:{rpc_port}",
        "KIMIKO_SECRET": "bench-secret-bench-secret-bench-secret-01",
        "RUST_LOG": "warn",
        **RAISED_LIMITS,
        **extra_env,
    }
    server = Server([os.path.join(target, "kimiko"), "serve"], env, log=os.path.join(work, "server.log"))
    wait_http(f"http://127.0.0.1:{port}/healthz")
    return server


def submit_scaling(args, target, work, rpc_port):
    """Submit req/s on SQLite with one process, then on one Postgres with one
    process and with three (each on its own port, all driven at once), as a
    table of its own and the ratios between them."""
    found = {}
    pg = subprocess.Popen([os.path.join(target, "examples/bench_postgres"), "2"], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True)
    try:
        urls = [pg.stdout.readline().strip() for _ in range(2)]
        if not all(url.startswith("postgres://") for url in urls):
            raise RuntimeError("bench_postgres did not start a server")
        setups = [(SCALE_SQLITE, [None]), (SCALE_PG_ONE, [urls[0]]), (SCALE_PG_THREE, [urls[1]] * 3)]
        for name, databases in setups:
            servers, bases = [], []
            for i, database in enumerate(databases):
                folder = os.path.join(work, f"{len(found)}-{i}")
                os.makedirs(folder)
                port = free_port()
                servers.append(start_kimiko(target, folder, port, rpc_port,
                                            {"KIMIKO_DATABASE_URL": database} if database else {}))
                bases.append(f"http://127.0.0.1:{port}/api/request-report")
            wrk_together(bases, 2, args.connections, "submit.lua")  # warm up
            each = wrk_together(bases, args.seconds, args.connections, "submit.lua")
            found[name] = {
                "rps": sum(r["rps"] for r in each),
                "p50_ms": max(r["p50_ms"] for r in each),
                "p99_ms": max(r["p99_ms"] for r in each),
                "errors_5xx": sum(r["errors_5xx"] for r in each),
                "non_2xx_3xx": sum(r["non_2xx_3xx"] for r in each),
                "statuses": " | ".join(r.get("statuses", "?") for r in each),
            }
            for server in servers:
                server.stop()
    finally:
        pg.stdin.close()
        pg.wait(timeout=60)
    return found


def measure(results, name, url, args, script=None, headers=None, pid=None):
    wrk(url, 2, args.connections, script, headers)  # warm up (fills caches, opens connections)
    results[name] = wrk(url, args.seconds, args.connections, script, headers)
    if pid:
        results[name]["rss_mib"] = rss_kib(pid, "VmRSS") / 1024


def start_rpc(target, work):
    rpc_port = free_port()
    scenarios = os.path.join(work, "scenarios.json")
    rpc = Server([os.path.join(target, "examples/mock_rpc"), f"127.0.0.1:{rpc_port}", scenarios])
    for _ in range(100):
        if os.path.exists(scenarios):
            break
        time.sleep(0.1)
    return rpc, rpc_port, scenarios


def one_submit_run(args, target, run_index):
    work = tempfile.mkdtemp(prefix="kimiko-bench-")
    rpc, rpc_port, _ = start_rpc(target, work)
    try:
        return {SCALING: submit_scaling(args, target, work, rpc_port)}
    finally:
        rpc.stop()


def one_run(args, target, run_index):
    work = tempfile.mkdtemp(prefix="kimiko-bench-")
    results = {}

    port, hello_port = free_port(), free_port()
    rpc, rpc_port, scenarios = start_rpc(target, work)
    base = f"http://127.0.0.1:{port}"
    server = start_kimiko(target, work, port, rpc_port, {})
    wallet = json.load(open(scenarios))["exposed"]
    submit_and_wait(base, wallet)
    page = f"{base}/report/{wallet}"
    sizes = {"plain": body_size(page), "gzip": body_size(page, BROWSER)}
    results["report page bytes"] = sizes

    # The baselines: what bare axum does on this machine, for a 5-byte body
    # and for bodies as large as the report page's.
    hello = Server([os.path.join(target, "examples/bench_hello"), f"127.0.0.1:{hello_port}"])
    wait_http(f"http://127.0.0.1:{hello_port}/")
    hello_url = f"http://127.0.0.1:{hello_port}"
    measure(results, BASELINE, hello_url + "/", args)
    measure(results, SAME_SIZE_GZIP, f"{hello_url}/sized/{sizes['gzip']}", args)
    measure(results, SAME_SIZE_PLAIN, f"{hello_url}/sized/{sizes['plain']}", args)
    hello.stop()

    pid = server.proc.pid
    for name, path, script, headers in SCENARIOS:
        measure(results, name, base + path.format(wallet=wallet), args, script, headers, pid)
    results["peak RSS (MiB)"] = rss_kib(pid, "VmHWM") / 1024
    server.stop()

    # Uncached: the same server with its report cache off, so every request
    # reads the report from SQLite and renders the page.
    uncached = start_kimiko(target, work, port, rpc_port, {"KIMIKO_REPORT_CACHE_SIZE": "0"})
    measure(results, "report page (uncached: SQLite read + render)", page, args, None, BROWSER, uncached.proc.pid)
    uncached.stop()
    results[SCALING] = submit_scaling(args, target, os.path.join(work, "scaling"), rpc_port)
    rpc.stop()
    with open(os.path.join(work, "server.log")) as log:
        results["database locked lines in the server log"] = sum(
            1 for line in log if "database is locked" in line or "SQLITE_BUSY" in line)
    return results


BASELINE = "baseline: bare axum hello"
SAME_SIZE_GZIP = "bare axum, body the size of the gzipped page"
SAME_SIZE_PLAIN = "bare axum, body the size of the uncompressed page"
CACHED_PAGE = "report page (cached, gzip as browsers ask)"
SUBMIT = "submit (rate limits raised)"
SCALING = "submit across processes"
SCALE_SQLITE = "SQLite, 1 process"
SCALE_PG_ONE = "Postgres, 1 process"
SCALE_PG_THREE = "Postgres, 3 processes"

# Raised for the submit measurement: the edge limiter and per-address limits
# exist to stop abuse, not to be measured. Every request uses its own
# address, so the per-address limits never trigger; the edge limiter is
# opened wide.
RAISED_LIMITS = {
    "KIMIKO_IP_RATE_BURST": "1000000",
    "KIMIKO_IP_RATE_PERIOD_MS": "1",
}

HOME = "home page"
METHODOLOGY = "methodology page"
PRIVACY = "privacy page"
NOT_FOUND = "not-found page (404)"
# The pages kept as rendered and the bar each must clear in the same run.
PAGE_TARGETS = [HOME, METHODOLOGY, PRIVACY, NOT_FOUND, CACHED_PAGE]

# (name, path, wrk script, request headers)
SCENARIOS = [
    (HOME, "/", None, BROWSER),
    (METHODOLOGY, "/methodology", None, BROWSER),
    (PRIVACY, "/privacy", None, BROWSER),
    (NOT_FOUND, "/no-such-page", None, BROWSER),
    (CACHED_PAGE, "/report/{wallet}", None, BROWSER),
    ("report page (cached, uncompressed)", "/report/{wallet}", None, None),
    ("report JSON", "/api/reports/{wallet}", None, None),
    ("card image", "/report/{wallet}/card.png", None, None),
    (SUBMIT, "/api/request-report", "submit.lua", None),
]


def scaling_table(runs, connections):
    med = lambda name, key: statistics.median(r[SCALING][name][key] for r in runs)
    lines = [f"Submit (`POST /api/request-report`, rate limits raised) across processes: {connections} connections "
             "in all; three processes are driven by three wrk at once (the connections shared out), their "
             "req/s added up, p50/p99 the worst of the three (wrk -t1 each; -t2 for one process).",
             "",
             "| setup | req/s | p50 ms | p99 ms | 5xx | non-2xx/3xx |",
             "|---|---:|---:|---:|---:|---:|"]
    for name in (SCALE_SQLITE, SCALE_PG_ONE, SCALE_PG_THREE):
        lines.append(f"| {name} | {med(name, 'rps'):,.0f} | {med(name, 'p50_ms'):.2f} | {med(name, 'p99_ms'):.2f} | "
                     f"{max(r[SCALING][name]['errors_5xx'] for r in runs)} | "
                     f"{max(r[SCALING][name]['non_2xx_3xx'] for r in runs)} |")
    sqlite, one, three = (med(name, "rps") for name in (SCALE_SQLITE, SCALE_PG_ONE, SCALE_PG_THREE))
    lines += [
        "",
        f"Postgres 3 processes ÷ 1 process: {three / one:.2f}. Postgres ÷ SQLite (1 process each): "
        f"{one / sqlite:.2f}; Postgres 3 processes ÷ SQLite 1 process: {three / sqlite:.2f}.",
        "Answers by status (run 1): " + "; ".join(
            f"{name}: {runs[0][SCALING][name]['statuses']}" for name in (SCALE_SQLITE, SCALE_PG_ONE, SCALE_PG_THREE)),
    ]
    return "\n".join(lines)


def median_table(runs):
    lines = ["| scenario | req/s | p50 ms | p99 ms | req/s ÷ baseline | 5xx | non-2xx/3xx |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    names = [k for k, v in runs[0].items() if isinstance(v, dict) and "rps" in v]
    med = lambda name, key: statistics.median(r[name][key] for r in runs)
    baseline = med(BASELINE, "rps")
    for name in names:
        rps = med(name, "rps")
        lines.append(f"| {name} | {rps:,.0f} | {med(name, 'p50_ms'):.2f} | {med(name, 'p99_ms'):.2f} | "
                     f"{rps / baseline:.2f} | {max(r[name]['errors_5xx'] for r in runs)} | "
                     f"{max(r[name]['non_2xx_3xx'] for r in runs)} |")
    peak = statistics.median(r["peak RSS (MiB)"] for r in runs)
    locked = max(r["database locked lines in the server log"] for r in runs)
    sizes = runs[0]["report page bytes"]
    same_size = med(CACHED_PAGE, "rps") / med(SAME_SIZE_GZIP, "rps")
    submit_rps = med(SUBMIT, "rps")
    fives = max(r[SUBMIT]["errors_5xx"] for r in runs)
    verdict = lambda ok: "met" if ok else "MISSED"
    lines += [
        "",
        f"Report page: {sizes['plain']:,} B, {sizes['gzip']:,} B gzipped. "
        f"Cached page ÷ bare axum serving the same number of bytes: {same_size:.2f}.",
        f"Peak RSS of the server (median of runs): {peak:.1f} MiB",
        f"'database is locked' / SQLITE_BUSY lines in the server log: {locked}",
        f"Submit answers by status (run 1): {runs[0][SUBMIT].get('statuses', '?')}",
        "",
        "| target | measured | |",
        "|---|---|---|",
    ]
    for name in PAGE_TARGETS:
        ratio, p99 = med(name, "rps") / baseline, med(name, "p99_ms")
        lines.append(f"| {name} ≥ 0.50 × baseline req/s, p99 < 10 ms | {ratio:.2f} ×, p99 {p99:.2f} ms "
                     f"| {verdict(ratio >= 0.5 and p99 < 10)} |")
    lines += [
        f"| submit ≥ 2,000 req/s, no 5xx, no database-locked | {submit_rps:,.0f} req/s, {fives} 5xx, {locked} locked "
        f"| {verdict(submit_rps >= 2000 and fives == 0 and locked == 0)} |",
        f"| peak RSS ≤ 64 MB | {peak:.1f} MiB | {verdict(peak * 1.048576 <= 64)} |",
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--only", choices=["submit"],
                        help="submit: only the submit-across-processes section (about 2 minutes with --runs 3)")
    parser.add_argument("--target", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release"))
    args = parser.parse_args()

    load = os.getloadavg()[0]
    runs = []
    for i in range(args.runs):
        print(f"run {i + 1} of {args.runs}…", file=sys.stderr)
        runs.append((one_submit_run if args.only == "submit" else one_run)(args, args.target, i))
    scaling = "## Submit across processes\n\n" + scaling_table(runs, args.connections)
    table = scaling if args.only == "submit" else median_table(runs) + "\n\n" + scaling
    header = (f"# Kimiko load benchmark\n\n{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
              f"{os.cpu_count()} cores (load {load:.2f} before the run), wrk -t2 -c{args.connections} "
              f"-d{args.seconds}s, median of {args.runs} runs.\n\n{table}\n\n")
    raw = f"## Raw runs\n\n```json\n{json.dumps(runs, indent=1)}\n```\n"
    # The load figures first: the benchmarks below compile for minutes on a
    # busy machine, and an interrupted run should not lose what it measured.
    print(table, flush=True)
    if args.only:
        # Beside the full run's page, not over it.
        write_results(header + raw, "latest-submit.md")
        return
    write_results(header + raw)
    # The queue benchmark runs on both backends; it starts its own Postgres.
    queue = cargo_bench("queue", "testing")
    analysis = cargo_bench("analysis", "ssr")
    report = (header + f"## Queue\n\n```\n{queue.strip()}\n```\n\n"
              f"## Analysis\n\n```\n{analysis.strip()}\n```\n\n" + raw)
    write_results(report)
    print(report)


def write_results(text, name="latest.md"):
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", name), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
