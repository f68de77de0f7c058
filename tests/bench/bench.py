#!/usr/bin/env python3
"""The measuring half of scripts/bench (issue #12), with the standard library only.

`bench.py run …` measures one running server: it logs in through the login form, picks a person from the database,
runs wrk against the fixed list of routes (each probed with one request first, so a route that cannot answer in
the timeout is reported as timed out instead of tying up the run), samples the server's memory, counts the audit
entries each route appends, and with --compare times the same aggregates as raw SQL. It writes one JSON file.
`bench.py report FILE…` prints the table of each run.
"""

import argparse
import http.cookiejar
import json
import os
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
PASSWORD = "Demo-passord-2026"


def routes(person, scenarios):
    """(name, path, credential, kind): credential is none, session (case worker), leader or token."""
    return [
        ("/healthz", "/healthz", "none", "ceiling"),
        ("/ start page", "/", "session", "page"),
        ("person page /persons/:id", f"/persons/{person}", "session", "person"),
        ("person API /api/v1/persons/:id", f"/api/v1/persons/{person}", "token", "person"),
        ("programme /persons/:id/programme", f"/persons/{person}/programme", "session", "person"),
        ("journal API /api/v1/persons/:id/journal", f"/api/v1/persons/{person}/journal", "token", "person"),
        ("norwegian /persons/:id/norwegian", f"/persons/{person}/norwegian", "session", "person"),
        ("person list /persons", "/persons", "session", "list"),
        ("person list API /api/v1/persons", "/api/v1/persons", "token", "list"),
        ("households /households", "/households", "session", "list"),
        ("worklist /worklist", "/worklist", "session", "list"),
        ("dwellings /housing", "/housing", "session", "list"),
        ("tenancies /housing/tenancies", "/housing/tenancies", "session", "list"),
        ("programme lists /programme", "/programme", "session", "aggregate"),
        ("payouts /programme/payouts", "/programme/payouts", "session", "aggregate"),
        ("payouts API", "/api/v1/programme/payouts", "token", "aggregate"),
        ("data quality /programme/data-quality", "/programme/data-quality", "session", "aggregate"),
        ("settlement /settlement", "/settlement", "session", "aggregate"),
        ("reports /reports (leader)", "/reports", "leader", "aggregate"),
        ("statistics API", "/api/v1/statistics/overview", "token", "aggregate"),
        ("grant ledger /economy/grants", "/economy/grants?municipality=3420", "session", "aggregate"),
        ("grant forecast /economy/forecast (leader)", "/economy/forecast?municipality=3420", "leader", "aggregate"),
        ("scenarios /economy/scenarios (leader)", "/economy/scenarios?municipality=3420", "leader", "list"),
        ("scenarios compared (leader)", "/economy/scenarios/compare?" + "&".join(f"ids[]={s}" for s in scenarios),
         "leader", "aggregate"),
        ("scenario result API", f"/api/v1/economy/scenarios/{scenarios[0]}/result", "token", "aggregate"),
    ]


def raw_sql(today):
    """The aggregate each aggregate page shows, for the case worker's municipality (Elverum, 3420), as one SQL
    statement on the same database: what the page would cost if the database did the counting."""
    y, m = int(today[:4]), int(today[5:7])
    month = today[:7] + "-01"
    following = f"{y + (m == 12):04d}-{m % 12 + 1:02d}-01"
    five_years = f"{y - 5:04d}-01-01"
    where = "pp.municipality = '3420'"
    caseload = (
        "SELECT p.advisor_id, pp.end_date IS NULL, pp.start_date <= '%s', COUNT(*) FROM participations pp "
        "JOIN persons p ON p.id = pp.person_id WHERE %s GROUP BY 1, 2, 3" % (today, where)
    )
    payouts = (
        "SELECT pp.id, p.birth_date, pp.start_date, pp.end_date, pp.stop_date, "
        "(SELECT COALESCE(SUM(a.absence_minutes), 0) FROM attendance_entries a WHERE a.participation_id = pp.id "
        "AND a.absence_kind = 'invalid' AND a.date >= '{m}' AND a.date < '{n}'), "
        "(SELECT COUNT(*) FROM programme_leaves l WHERE l.participation_id = pp.id AND l.from_date < '{n}' "
        "AND l.to_date >= '{m}'), "
        "(SELECT COALESCE(SUM(d.amount_ore), 0) FROM benefit_deductions d WHERE d.participation_id = pp.id "
        "AND d.month = '{ym}') "
        "FROM participations pp JOIN persons p ON p.id = pp.person_id WHERE {w} AND pp.start_date < '{n}' "
        "AND (pp.end_date IS NULL OR pp.end_date >= '{m}')"
    ).format(m=month, n=following, ym=today[:7], w=where)
    quality = (
        "SELECT SUM(CASE WHEN p.national_id IS NULL THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN p.education_level IS NULL THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN pp.decision_date IS NULL THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN pp.final_goal IS NULL THEN 1 ELSE 0 END), COUNT(*) "
        "FROM participations pp JOIN persons p ON p.id = pp.person_id WHERE %s" % where
    )
    statistics_ = (
        "SELECT 'ground', residence_ground, COUNT(*) FROM persons WHERE municipality = '3420' "
        "GROUP BY residence_ground UNION ALL "
        "SELECT 'citizenship', citizenship, COUNT(*) FROM persons WHERE municipality = '3420' GROUP BY citizenship "
        "UNION ALL SELECT 'households', '', COUNT(*) FROM households WHERE municipality = '3420'"
    )
    return {
        "/programme": caseload,
        "/programme/payouts": payouts,
        "/api/v1/programme/payouts": payouts,
        "/programme/data-quality": quality,
        "/settlement": (
            "SELECT substr(settlement_date, 1, 7), settled_by_agreement, residence_ground = 'family_reunification', "
            "COUNT(*) FROM persons WHERE municipality = '3420' AND settlement_date >= '%s' GROUP BY 1, 2, 3"
            % five_years
        ),
        "/reports": statistics_,
        "/api/v1/statistics/overview": statistics_,
    }


class Database:
    def __init__(self, kind, sqlite_file=None, pg_url=None):
        self.kind, self.sqlite_file, self.pg_url = kind, sqlite_file, pg_url

    def query(self, sql):
        if self.kind == "sqlite":
            con = sqlite3.connect(f"file:{self.sqlite_file}?mode=ro", uri=True, timeout=30)
            try:
                return con.execute(sql).fetchall()
            finally:
                con.close()
        out = subprocess.run(["psql", self.pg_url, "-At", "-F", "\t", "-c", sql], check=True,
                             capture_output=True, text=True).stdout
        return [tuple(line.split("\t")) for line in out.splitlines() if line]

    def time_ms(self, sql, repeat=5):
        """Median wall time of the statement inside the database client (no process start)."""
        if self.kind == "sqlite":
            con = sqlite3.connect(f"file:{self.sqlite_file}?mode=ro", uri=True, timeout=30)
            times = []
            for _ in range(repeat):
                t = time.perf_counter()
                con.execute(sql).fetchall()
                times.append((time.perf_counter() - t) * 1000)
            con.close()
            return statistics.median(times)
        script = "\\timing on\n" + "\n".join([sql + ";"] * repeat) + "\n"
        out = subprocess.run(["psql", self.pg_url, "-At", "-q"], input=script, check=True, capture_output=True,
                             text=True).stdout
        times = [float(m) for m in re.findall(r"^Time: ([0-9.]+) ms", out, re.M)]
        return statistics.median(times) if times else None

    def person_id(self):
        """A person of Elverum in the middle of the name order, with a programme."""
        if self.kind == "sqlite":
            count = self.query("SELECT COUNT(*) FROM participations WHERE municipality = '3420'")[0][0]
            row = self.query(
                "SELECT p.id FROM persons p JOIN participations pp ON pp.person_id = p.id "
                "WHERE p.municipality = '3420' ORDER BY p.family_name, p.given_name, p.id "
                f"LIMIT 1 OFFSET {int(count) // 2}")[0][0]
            return str(uuid.UUID(bytes=row)) if isinstance(row, bytes) else str(uuid.UUID(row))
        count = self.query("SELECT COUNT(*) FROM participations WHERE municipality = '3420'")[0][0]
        return self.query(
            "SELECT p.id::text FROM persons p JOIN participations pp ON pp.person_id = p.id "
            "WHERE p.municipality = '3420' ORDER BY p.family_name, p.given_name, p.id "
            f"LIMIT 1 OFFSET {int(count) // 2}")[0][0]

    def scenario_ids(self):
        """Elverum's two bench scenarios, by name."""
        rows = self.query("SELECT id FROM settlement_scenarios WHERE municipality = '3420' ORDER BY name"
                          if self.kind == "sqlite" else
                          "SELECT id::text FROM settlement_scenarios WHERE municipality = '3420' ORDER BY name")
        out = []
        for (row,) in rows:
            out.append(str(uuid.UUID(bytes=row)) if isinstance(row, bytes) else str(uuid.UUID(row)))
        return out

    def audit_count(self):
        return int(self.query("SELECT COUNT(*) FROM audit_entries")[0][0])


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def login(url, username):
    """Signs in through the form (CSRF token from the page, cookies kept) and returns the Cookie header. The
    redirect after it is not followed: the start page it leads to may take long on a large dataset."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
    page = opener.open(url + "/login", timeout=30).read().decode()
    m = re.search(r'name="_csrf"\s+value="([^"]+)"', page) or re.search(r'value="([^"]+)"\s+name="_csrf"', page)
    if not m:
        raise SystemExit("bench: no CSRF token on /login")
    body = urllib.parse.urlencode(
        {"username": username, "password": PASSWORD, "_csrf": m.group(1), "next": "/"}).encode()
    try:
        res = opener.open(urllib.request.Request(url + "/login", data=body, method="POST"), timeout=60)
        status, location = res.status, res.headers.get("Location", "")
    except urllib.error.HTTPError as e:
        status, location = e.code, e.headers.get("Location", "")
    if status not in (302, 303) or location.startswith("/login"):
        raise SystemExit(f"bench: login as {username} failed ({status}, to {location or 'nowhere'})")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def headers_for(credential, creds):
    if credential == "session":
        return {"Cookie": creds["session"]}
    if credential == "leader":
        return {"Cookie": creds["leader"]}
    if credential == "token":
        return {"Authorization": "Bearer " + creds["token"]}
    return {}


def one_request(url, headers, timeout):
    """(status, seconds) of one GET, status None when it timed out or failed."""
    req = urllib.request.Request(url, headers=headers)
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            res.read()
            return res.status, time.perf_counter() - t
    except urllib.error.HTTPError as e:
        return e.code, time.perf_counter() - t
    except Exception:
        return None, time.perf_counter() - t


def rss_kb(pid, field="VmRSS"):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except OSError:
        return None


def wait_idle(pid, limit=120.0):
    """Waits until the server has finished what wrk left running (requests are not cancelled when wrk closes
    its connections), so one route's leftovers do not slow the next: idle is under 5 % of a core for 0.5 s."""
    hz = os.sysconf("SC_CLK_TCK")
    end = time.time() + limit
    while time.time() < end:
        before = cpu_ticks(pid)
        time.sleep(0.5)
        after = cpu_ticks(pid)
        if before is None or after is None or (after - before) < 0.05 * hz * 0.5:
            return


def run_wrk(url, headers, a, connections, pid):
    """Runs wrk; a watchdog stops it when the server's memory passes the limit. Returns the parsed summary."""
    cmd = ["wrk", f"-t{min(a.threads, connections)}", f"-c{connections}", f"-d{a.duration}", "--latency",
           "--timeout", a.timeout, "-s", os.path.join(HERE, "report.lua")]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    cmd.append(url)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    over = {"rss": 0, "killed": False}

    def watch():
        while proc.poll() is None:
            r = rss_kb(pid) or 0
            over["rss"] = max(over["rss"], r)
            if r > a.rss_limit_mb * 1024:
                over["killed"] = True
                proc.send_signal(signal.SIGINT)
                return
            time.sleep(0.25)

    t = threading.Thread(target=watch, daemon=True)
    t.start()
    out, _ = proc.communicate()
    t.join()
    m = re.search(r"^BENCH (\{.*\})$", out, re.M)
    result = json.loads(m.group(1)) if m else {"error": out.strip()[-300:]}
    result["rss_peak_kb_during"] = over["rss"]
    if over["killed"]:
        result["aborted"] = f"server RSS over {a.rss_limit_mb} MB"
    return result


def seconds(text):
    m = re.fullmatch(r"([0-9.]+)(ms|s|m)?", text)
    if not m:
        raise SystemExit(f"bench: not a duration: {text}")
    n = float(m.group(1))
    return n / 1000 if m.group(2) == "ms" else n * 60 if m.group(2) == "m" else n


class Server:
    """`innbygger serve` on the given port, with the environment of this process (INNBYGGER_DATA_DIR, DATABASE_URL,
    INNBYGGER_TODAY …). Restarted after a request that did not finish in the timeout: the abandoned request would
    otherwise keep running in the server and slow every route after it."""

    def __init__(self, binary, port, env_name, log):
        self.binary, self.port, self.env_name, self.log = binary, port, env_name, log
        self.url = f"http://127.0.0.1:{port}"
        self.proc = None
        self.peak_kb = 0
        self.restarts = 0

    def start(self):
        out = open(self.log, "a")
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--env", self.env_name, "--hostname", "127.0.0.1", "--port", str(self.port),
             "--log", "warning"], stdout=out, stderr=subprocess.STDOUT)
        for _ in range(240):
            if self.proc.poll() is not None:
                raise SystemExit(f"bench: the server exited ({self.proc.returncode}); see {self.log}")
            status, _ = one_request(self.url + "/readyz", {}, 2)
            if status == 200:
                return
            time.sleep(0.5)
        raise SystemExit(f"bench: the server did not become ready; see {self.log}")

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def sample(self):
        if self.alive():
            self.peak_kb = max(self.peak_kb, rss_kb(self.pid, "VmHWM") or 0)

    def stop(self):
        if not self.proc:
            return
        self.sample()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def restart(self):
        self.stop()
        self.restarts += 1
        self.start()


def cmd_run(a):
    db = Database(a.db, a.sqlite_file, a.pg_url)
    server = Server(a.binary, a.port, a.env, a.log)
    server.start()
    try:
        run_routes(a, db, server)
    finally:
        server.stop()


def run_routes(a, db, server):
    url = server.url
    token = subprocess.run([a.binary, "token", "--user", "saksbehandler.elverum", "--name", "bench", "--log",
                            "warning"], check=True, capture_output=True, text=True).stdout.strip()
    creds = {"token": token, "session": login(url, "saksbehandler.elverum"), "leader": login(url, "leder.elverum")}
    person = db.person_id()
    scenarios = db.scenario_ids()
    timeout = seconds(a.timeout)
    load_before = open("/proc/loadavg").read().split()[:3]
    results = []
    for name, path, credential, kind in routes(person, scenarios):
        headers = headers_for(credential, creds)
        wait_idle(server.pid)
        status, took = one_request(url + path, headers, timeout)
        row = {"route": name, "path": path, "kind": kind, "probe_status": status, "probe_ms": took * 1000}
        audit_before = db.audit_count()
        if status is None:
            row["timed_out"] = True
            if not server.alive():
                raise SystemExit(f"bench: the server died on {path}; see {a.log}")
            server.restart()
        else:
            # A route that takes longer than any target for one request is loaded with few connections: 64 of them
            # at once would only queue (none finishing within the run) and multiply the memory each one holds.
            conns = a.connections if took < a.slow_seconds else min(a.connections, a.slow_connections)
            row["connections"] = conns
            row.update(run_wrk(url + path, headers, a, conns, server.pid))
            server.sample()
            if not server.alive():
                raise SystemExit(f"bench: the server died under load on {path}; see {a.log}")
            requests = row.get("requests", 0)
            row["audit_per_request"] = (db.audit_count() - audit_before) / requests if requests else None
        if a.compare and kind == "aggregate":
            sql = raw_sql(a.today).get(path)
            if sql and status is not None:
                wait_idle(server.pid)
                single = [one_request(url + path, headers, timeout)[1] * 1000 for _ in range(3)]
                row["single_ms"] = statistics.median(single)
                row["sql_ms"] = db.time_ms(sql)
        results.append(row)
        print(f"  {name}: {summarise(row)}", flush=True)
    imported = run_import(url, token, timeout)
    print(f"  import: {imported.get('rows')} persons in {imported.get('seconds', 0):.2f} s "
          f"({imported.get('persons_per_second', 0):.0f} persons/s), HTTP {imported.get('status')}", flush=True)
    server.sample()
    out = {
        "import": imported,
        "db": a.db, "persons": a.persons, "label": a.label, "connections": a.connections, "duration": a.duration,
        "routes": results, "rss_peak_kb": server.peak_kb, "rss_end_kb": rss_kb(server.pid),
        "server_restarts": server.restarts, "audit_entries": db.audit_count(), "person": person,
        "generate": json.loads(a.generate or "{}"), "load_before": load_before,
        "load_after": open("/proc/loadavg").read().split()[:3], "env": a.env, "timeout": a.timeout,
    }
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)


def import_csv(rows, seed=12):
    """A file of `rows` persons in households of one to five, in the import's format (docs/import.md), the same
    for every run."""
    import random
    rnd = random.Random(seed)
    lines = ["household,householdAddress,relation,givenName,familyName,birthDate,sex,citizenship,residenceGround,"
             "arrivalDate,settlementDate,settledByAgreement"]
    n = 0
    h = 0
    while n < rows:
        h += 1
        size = min(rnd.randint(1, 5), rows - n)
        for m in range(size):
            adult = m < 2
            year = rnd.randint(1960, 2000) if adult else rnd.randint(2008, 2022)
            relation = "main" if m == 0 else ("spouse" if m == 1 else "child")
            lines.append(f"B{h},Benkveien {h % 500 + 1},{relation},Navn{n},Import{h},{year}-0{rnd.randint(1, 9)}-1"
                         f"{rnd.randint(0, 9)},{rnd.choice(['female', 'male'])},SY,refugee,2025-0{rnd.randint(1, 9)}-01,"
                         f"2025-{rnd.randint(10, 12)}-01,ja")
            n += 1
    return "\n".join(lines) + "\n"


def run_import(url, token, timeout, rows=5000):
    """Times one import through the API: the largest file it takes (5 000 rows), all or nothing."""
    body = import_csv(rows).encode()
    req = urllib.request.Request(url + "/api/v1/imports/persons?municipality=3420", data=body, method="POST",
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"})
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=max(timeout, 120)) as res:
            res.read()
            status = res.status
    except urllib.error.HTTPError as e:
        status = e.code
        print(f"  import refused: {e.read()[:500]!r}", flush=True)
    except Exception as e:
        return {"rows": rows, "status": None, "error": str(e)}
    took = time.perf_counter() - t
    return {"rows": rows, "status": status, "seconds": took, "persons_per_second": rows / took if took else 0}


def summarise(row):
    if row.get("timed_out"):
        return "timed out (one request did not finish)"
    if "error" in row:
        return "wrk failed: " + row["error"]
    rps = row["requests"] / (row["duration_us"] / 1e6) if row.get("duration_us") else 0
    return (f"{rps:.1f} req/s, p50 {row['p50_us'] / 1000:.1f} ms, p99 {row['p99_us'] / 1000:.1f} ms, "
            f"non-2xx {row['non2xx']}, timeouts {row['timeouts']}")


def ms(us):
    v = us / 1000
    return f"{v:.0f} ms" if v >= 100 else f"{v:.1f} ms"


def cmd_report(a):
    failed = False
    routes = bad_routes = 0
    for path in a.files:
        with open(path) as f:
            r = json.load(f)
        g = r.get("generate", {})
        title = (f"{r['db']} · {r['persons']} persons · wrk -c{r['connections']} -d{r['duration']} · "
                 f"serve --env {r.get('env', 'development')}")
        print(f"\n### {title}\n")
        ceiling = None
        for row in r["routes"]:
            if row["path"] == "/healthz" and row.get("duration_us"):
                ceiling = row["requests"] / (row["duration_us"] / 1e6)
        compare = any("sql_ms" in row for row in r["routes"])
        head = ["route", "conns", "req/s", "p50", "p99", "non-2xx", "ratio to /healthz", "audit/req"]
        if compare:
            head += ["one request", "raw SQL", "ratio to SQL"]
        lines = [head]
        for row in r["routes"]:
            was_failed, failed = failed, False
            if row.get("timed_out"):
                cells = [row["route"], "1", "timed out", f"> {r.get('timeout', a.timeout)}", "–", "–", "0", "–"]
                failed = True
            elif "error" in row or "requests" not in row:
                cells = [row["route"], str(row.get("connections", "–")), "wrk failed", "–", "–", "–", "–", "–"]
                failed = True
            else:
                rps = row["requests"] / (row["duration_us"] / 1e6)
                bad = row["non2xx"] + row["timeouts"] + row["connect_errors"] + row["read_errors"]
                if bad or row.get("probe_status", 200) // 100 != 2 or row.get("aborted"):
                    failed = True
                note = ""
                if row["timeouts"]:
                    note = f" ({row['timeouts']} timed out)"
                if row.get("aborted"):
                    note += f" (stopped: {row['aborted']})"
                if row["requests"] == 0:
                    probe = f"none finished (one request: {row['probe_ms'] / 1000:.1f} s)"
                    cells = [row["route"], str(row["connections"]), probe + note, "–", "–", str(bad), "–", "–"]
                else:
                    apr = row.get("audit_per_request")
                    cells = [
                        row["route"], str(row["connections"]), f"{rps:,.1f}".replace(",", " ") + note,
                        ms(row["p50_us"]), ms(row["p99_us"]), str(bad),
                        f"{rps / ceiling:.3f}" if ceiling else "–", f"{apr:.2f}" if apr is not None else "–",
                    ]
            if compare:
                if "sql_ms" in row and row.get("sql_ms"):
                    cells += [f"{row['single_ms']:.1f} ms", f"{row['sql_ms']:.2f} ms",
                              f"{row['single_ms'] / row['sql_ms']:.0f}×"]
                else:
                    cells += ["", "", ""]
            routes += 1
            bad_routes += 1 if failed else 0
            failed = failed or was_failed
            lines.append(cells)
        widths = [max(len(str(line[i])) for line in lines) for i in range(len(head))]
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(lines[0], widths)) + " |")
        print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        for line in lines[1:]:
            print("| " + " | ".join(str(c).ljust(w) for c, w in zip(line, widths)) + " |")
        peak = r.get("rss_peak_kb")
        restarts = r.get("server_restarts", 0)
        print(f"\npeak server RSS (VmHWM): {peak / 1024:.0f} MB" if peak else "\npeak server RSS: unknown", end="")
        print(f" (the server was restarted {restarts}× after a timed-out request)" if restarts else "")
        if g:
            print(f"dataset: {g.get('persons')} persons, {g.get('rows')} rows generated in {g.get('seconds')} s "
                  f"({g.get('cpu_seconds')} s CPU; {g.get('persons_per_second')} persons/s); appending its one "
                  "audit entry took "
                  f"{float(g.get('audit_seconds', 0)) * 1000:.1f} ms")
        if r.get("load_before"):
            print(f"load average (1, 5, 15 min) before: {' '.join(r['load_before'])}, "
                  f"after: {' '.join(r['load_after'])} (the machine is shared; other work slows every route)")
        imp = r.get("import") or {}
        if imp.get("seconds"):
            print(f"import: {imp['rows']} persons through POST /api/v1/imports/persons in {imp['seconds']:.2f} s "
                  f"({imp['persons_per_second']:.0f} persons/s, HTTP {imp['status']})")
            routes += 1
            if imp.get("status", 0) // 100 != 2:
                failed = True
                bad_routes += 1
        print(f"audit entries after the run: {r.get('audit_entries')} "
              "(audit/req: entries appended per request served, reads append theirs by group commit)")
    if a.strict:
        # One check a measured route and the import: the closing count that scripts/test reads.
        print(f"\nbench smoke: {routes - bad_routes} passed, {bad_routes} failed")
    if a.strict and failed:
        print("\nbench: a route answered outside 2xx, timed out or failed", file=sys.stderr)
        return 1
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--binary", required=True)
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--log", required=True)
    r.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    r.add_argument("--sqlite-file")
    r.add_argument("--pg-url")
    r.add_argument("--persons", required=True)
    r.add_argument("--label", default="")
    r.add_argument("--today", required=True)
    r.add_argument("--threads", type=int, default=2)
    r.add_argument("--connections", type=int, default=64)
    r.add_argument("--slow-connections", type=int, default=4)
    r.add_argument("--slow-seconds", type=float, default=0.25)
    r.add_argument("--duration", default="10s")
    r.add_argument("--timeout", default="10s")
    r.add_argument("--rss-limit-mb", type=int, default=6000)
    r.add_argument("--compare", action="store_true")
    r.add_argument("--generate", default="")
    r.add_argument("--out", required=True)
    r.add_argument("--env", default="development")
    rep = sub.add_parser("report")
    rep.add_argument("files", nargs="+")
    rep.add_argument("--timeout", default="10s")
    rep.add_argument("--strict", action="store_true")
    a = p.parse_args()
    if a.cmd == "run":
        cmd_run(a)
        return 0
    return cmd_report(a)


if __name__ == "__main__":
    sys.exit(main())
