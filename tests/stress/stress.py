#!/usr/bin/env python3
"""Stress and durability checks against the real innbygger server (standard library only).

Usage:
    python3 tests/stress/stress.py --bin path/to/innbygger [--database-url postgres://...]
                                   [--duration 20] [--concurrency 16] [--kill-at 0.4] [--import-rows 5000]

Without --database-url the server runs on a fresh SQLite file in a temporary data directory; with it, on that
(empty) PostgreSQL database, loading the demo itself (INNBYGGER_DEMO=1). The script starts and stops every
server itself (also on failure), talks only to 127.0.0.1, and bounds every loop by count and time.

Scenarios, each ending in one line per check, "PASS <name>" or "FAIL <name>: <reason>":
  burst    CONCURRENCY writers for DURATION seconds create persons (POST /api/v1/persons) and journal notes
           (POST /api/v1/persons/{id}/journal). No 5xx, no 4xx, no connection errors; every acknowledged id is
           there afterwards (API and database); every stored row the burst made has exactly one audit entry;
           `innbygger audit verify` passes.
  kill     The same burst, but the server gets SIGKILL at KILL_AT of the duration and is restarted on the same
           database while the writers go on. Connection errors between the kill and the restart are expected;
           the rest of the checks are as for the burst.
  import   A plain IMPORT_ROWS-row CSV import (POST /api/v1/imports/persons) must end done with every row stored
           and audited once. Then the same import is cut off by SIGKILL, once while its rows are being stored and
           once just after they are committed (if the job is still running then); after a restart the job's
           reported state must be true: failed/0 created means no rows, done/N means exactly N audited rows,
           and no job may still say running.
The last line is "stress-summary: N passed, M failed"; the exit status is non-zero when anything failed.
"""

import argparse
import collections
import http.client
import json
import math
import os
import random
import shutil
import signal
import socket
import sqlite3
import string
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HOST = "127.0.0.1"
MUNICIPALITY = "3420"  # Elverum
USER = "saksbehandler.elverum"

# What the server writes to audit_entries (action, record_type) when it creates each kind of record.
PERSON_CREATE = ("create", "person")
JOURNAL_CREATE = ("journal_create", "journal_entry")
HOUSEHOLD_CREATE = ("create", "household")


def log(msg=""):
    print(msg, flush=True)


# --------------------------------------------------------------------------------------------------- results

class Results:
    def __init__(self, label):
        self.label = label
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, reason=""):
        full = f"{self.label}.{name}"
        if ok:
            self.passed += 1
            log(f"PASS {full}")
        else:
            self.failed += 1
            log(f"FAIL {full}: {reason}")
        return ok


# --------------------------------------------------------------------------------------------------- helpers

def free_port():
    s = socket.socket()
    s.bind((HOST, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def norm_id(v):
    """A UUID as lower-case text, whether the database gave bytes (SQLite blob) or text."""
    if v is None:
        return None
    if isinstance(v, (bytes, bytearray, memoryview)):
        b = bytes(v)
        if len(b) == 16:
            return str(uuid.UUID(bytes=b))
        v = b.decode("utf-8", "replace")
    return str(v).strip().lower()


def q(s):
    return "'" + str(s).replace("'", "''") + "'"


def fmt_counts(counter):
    if not counter:
        return "none"
    return ", ".join(f"{k}={counter[k]}" for k in sorted(counter, key=str))


def sample(items, n=3):
    items = list(items)
    return ", ".join(str(x) for x in items[:n]) + (" …" if len(items) > n else "")


class HTTP:
    """One keep-alive connection to the server; reconnects after any error."""

    def __init__(self, port, token=None, timeout=30):
        self.port, self.token, self.timeout = port, token, timeout
        self.conn = None

    def close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:
                pass
        self.conn = None

    def request(self, method, path, body=None, ctype="application/json", timeout=None):
        """Returns (status, body bytes). Raises OSError / http.client.HTTPException on connection trouble."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=timeout or self.timeout)
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers["Content-Type"] = ctype
        try:
            self.conn.request(method, path, body=data, headers=headers)
            res = self.conn.getresponse()
            payload = res.read()
            if res.getheader("Connection", "").lower() == "close":
                self.close()
            return res.status, payload
        except Exception:
            self.close()
            raise


CONN_ERRORS = (OSError, http.client.HTTPException)


def get_with_retry(port, token, path, attempts=4):
    """A GET for verification: retried on connection errors and 5xx. Returns (status, json or None, note)."""
    c = HTTP(port, token)
    last = ""
    try:
        for i in range(attempts):
            try:
                st, body = c.request("GET", path)
            except CONN_ERRORS as e:
                last = f"connection error {type(e).__name__}"
                time.sleep(0.2 * (i + 1))
                continue
            if st >= 500:
                last = f"status {st}"
                time.sleep(0.2 * (i + 1))
                continue
            try:
                return st, json.loads(body) if body else None, ""
            except ValueError:
                return st, None, "not JSON"
        return None, None, last
    finally:
        c.close()


# --------------------------------------------------------------------------------------------------- database

class SqliteStore:
    kind = "sqlite"

    def __init__(self, path):
        self.path = path

    def query(self, sql):
        """For when no server is running (or it is idle)."""
        con = sqlite3.connect(self.path, timeout=30)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def wal(self):
        try:
            with open(self.path, "rb") as f:
                header = f.read(20)
            return len(header) >= 20 and header[18] == 2
        except OSError:
            return False

    def query_live(self, sql):
        """While the server writes: never takes a lock the server could trip over. In WAL mode a read-only
        reader does not block the writer; in rollback-journal mode the file is read as immutable (no locks, no
        hot-journal handling), which can see a torn state, so callers treat errors and odd values as 'unknown'."""
        mode = "mode=ro" if self.wal() else "mode=ro&immutable=1"
        con = sqlite3.connect(f"file:{self.path}?{mode}", uri=True, timeout=0.05)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()


class PostgresStore:
    kind = "postgres"

    def __init__(self, url):
        self.url = url

    def query(self, sql):
        r = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", "\x1f", "-v", "ON_ERROR_STOP=1", "-d", self.url, "-c", sql],
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise RuntimeError(f"psql failed: {r.stderr.strip()[:300]}")
        rows = []
        for line in r.stdout.splitlines():
            if line == "":
                continue
            rows.append(tuple(None if f == "" else f for f in line.split("\x1f")))
        return rows

    def query_live(self, sql):
        return self.query(sql)


def audit_index(store):
    """(action, record_type, record_id) → number of audit entries."""
    rows = store.query("SELECT action, record_type, record_id FROM audit_entries WHERE record_id IS NOT NULL "
                       "AND record_type IN ('person', 'journal_entry', 'household')")
    c = collections.Counter()
    for action, rtype, rid in rows:
        c[(action, rtype, norm_id(rid))] += 1
    return c


def audit_problems(ids, index, kind):
    """Rows among ids without exactly one audit entry of `kind`: (missing, duplicated)."""
    missing = [i for i in ids if index[(kind[0], kind[1], i)] == 0]
    dup = [i for i in ids if index[(kind[0], kind[1], i)] > 1]
    return missing, dup


# --------------------------------------------------------------------------------------------------- server

class Server:
    def __init__(self, suite, name):
        self.suite, self.name = suite, name
        self.proc = None
        self.logfile = None

    def start(self, timeout=150):
        s = self.suite
        self.suite.starts += 1
        path = os.path.join(s.tmp, f"server-{self.suite.starts:02d}-{self.name}.log")
        self.logfile = open(path, "wb")
        self.logpath = path
        self.proc = subprocess.Popen([s.bin, "serve", "--hostname", HOST, "--port", str(s.port), "--log", "warning"],
                                     cwd=s.root, env=s.env, stdout=self.logfile, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        s.servers.append(self)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode} while starting; log {path}: {self.tail()}")
            try:
                c = http.client.HTTPConnection(HOST, s.port, timeout=2)
                c.request("GET", "/readyz")
                st = c.getresponse().status
                c.close()
                if st == 200:
                    return
            except CONN_ERRORS:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server not ready after {timeout} s; log {path}: {self.tail()}")

    def tail(self, n=5):
        try:
            with open(self.logpath, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
            return " | ".join(lines[-n:])
        except OSError:
            return ""

    def error_lines(self):
        try:
            with open(self.logpath, "rb") as f:
                return [l for l in f.read().decode("utf-8", "replace").splitlines() if "error" in l.lower()]
        except OSError:
            return []

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def _signal(self, sig):
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def kill(self):
        """SIGKILL to the server's process group, then reap it."""
        if self.proc is None:
            return
        self._signal(signal.SIGKILL)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        self._close()

    def stop(self):
        """A normal stop (SIGTERM), SIGKILL after 15 s."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self._signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
        self._close()

    def _close(self):
        if self.logfile:
            self.logfile.close()
            self.logfile = None


# --------------------------------------------------------------------------------------------------- burst

class BurstStats:
    def __init__(self):
        self.lock = threading.Lock()
        self.status = {"person": collections.Counter(), "journal": collections.Counter()}
        self.bad_bodies = collections.Counter()  # (kind, status, first part of body)
        self.conn_errors = collections.Counter()  # phase → count
        self.persons = set()  # acknowledged person ids
        self.journals = {}  # acknowledged journal id → person id
        self.bad_acks = 0  # 2xx without a readable id

    def record(self, kind, st, body):
        with self.lock:
            self.status[kind][st] += 1
            if st >= 300:
                try:
                    e = json.loads(body)["error"]
                    text = f"{e.get('code')}: {e.get('message')}" + (f" ({e['field']})" if e.get("field") else "")
                except (ValueError, KeyError, TypeError, AttributeError):
                    text = body[:160].decode("utf-8", "replace")
                if len(self.bad_bodies) < 50 or (kind, st, text) in self.bad_bodies:
                    self.bad_bodies[(kind, st, text)] += 1


class Burst:
    """CONCURRENCY writers until the deadline; optionally a SIGKILL and a restart in the middle."""

    def __init__(self, suite, server, marker, kill_at=None):
        self.suite, self.server, self.marker, self.kill_at = suite, server, marker, kill_at
        self.stats = BurstStats()
        self.t_kill = None
        self.t_ready = None
        self.deadline = None
        self.restart_error = None
        self.killed_alive = None

    def conn_phase(self):
        now = time.monotonic()
        if self.kill_at is None:
            return "no-kill"
        if self.t_kill is None or now < self.t_kill:
            return "before-kill"
        if self.t_ready is None or now < self.t_ready + 0.5:
            return "kill-to-ready"
        return "after-ready"

    def writer(self, idx):
        s = self.suite
        c = HTTP(s.port, s.token)
        mine = []
        n = 0
        max_ops = 200000
        try:
            while time.monotonic() < self.deadline and n < max_ops:
                n += 1
                person = {"municipality": MUNICIPALITY, "givenName": f"W{idx}N{n}", "familyName": self.marker,
                          "birthDate": "1990-05-14", "sex": "female" if n % 2 else "male", "citizenship": "SY",
                          "residenceGround": "refugee"}
                try:
                    st, body = c.request("POST", "/api/v1/persons", person)
                except CONN_ERRORS:
                    with self.stats.lock:
                        self.stats.conn_errors[self.conn_phase()] += 1
                    time.sleep(0.05)
                    continue
                self.stats.record("person", st, body)
                if 200 <= st < 300:
                    pid = self._id(body)
                    if pid:
                        with self.stats.lock:
                            self.stats.persons.add(pid)
                        mine.append(pid)
                if not mine or time.monotonic() >= self.deadline:
                    continue
                # Notes go on the writer's first five persons, so they can be read back with a few list calls.
                target = mine[n % min(5, len(mine))]
                note = {"date": "2025-03-01", "category": "meeting", "text": f"{self.marker} note w{idx} n{n}", "shared": False}
                try:
                    st, body = c.request("POST", f"/api/v1/persons/{target}/journal", note)
                except CONN_ERRORS:
                    with self.stats.lock:
                        self.stats.conn_errors[self.conn_phase()] += 1
                    time.sleep(0.05)
                    continue
                self.stats.record("journal", st, body)
                if 200 <= st < 300:
                    jid = self._id(body)
                    if jid:
                        with self.stats.lock:
                            self.stats.journals[jid] = target
        finally:
            c.close()

    def _id(self, body):
        try:
            return norm_id(json.loads(body)["id"])
        except (ValueError, KeyError, TypeError):
            with self.stats.lock:
                self.stats.bad_acks += 1
            return None

    def run(self):
        s = self.suite
        t0 = time.monotonic()
        self.deadline = t0 + s.duration
        threads = [threading.Thread(target=self.writer, args=(i,), daemon=True) for i in range(s.concurrency)]
        for t in threads:
            t.start()
        if self.kill_at is not None:
            time.sleep(max(0.0, t0 + s.duration * self.kill_at - time.monotonic()))
            self.killed_alive = self.server.alive()
            self.t_kill = time.monotonic()
            self.server.kill()
            log(f"  SIGKILL sent to the server at {self.t_kill - t0:.1f} s (it was {'running' if self.killed_alive else 'already gone'})")
            try:
                self.server.start()
                self.t_ready = time.monotonic()
                log(f"  restarted on the same database, ready after {self.t_ready - self.t_kill:.1f} s")
            except RuntimeError as e:
                self.restart_error = str(e)
                self.t_ready = time.monotonic()
            # Give the writers a fair time against the restarted server.
            self.deadline = max(self.deadline, self.t_ready + 0.25 * s.duration)
        for t in threads:
            t.join(timeout=max(1.0, self.deadline - time.monotonic() + 60))
        hung = sum(t.is_alive() for t in threads)
        self.elapsed = time.monotonic() - t0
        return hung


def verify_api(suite, marker, persons, journals):
    """Reads every acknowledged id back through the API. Returns a list of problems."""
    s = suite
    problems = []
    listed = set()
    path = f"/api/v1/persons?q={marker}&municipality={MUNICIPALITY}"
    st, body, note = get_with_retry(s.port, s.token, path + "&page=1")
    if st != 200 or not isinstance(body, dict):
        return [f"GET {path}&page=1 answered {st} {note}"]
    total = int(body.get("total", 0))
    size = int(body.get("pageSize", 50)) or 50
    pages = min(4000, max(1, math.ceil(total / size)))
    listed.update(norm_id(p["id"]) for p in body.get("items", []))
    end = time.monotonic() + 120
    for page in range(2, pages + 1):
        if time.monotonic() > end:
            problems.append(f"listing persons took over 120 s (stopped at page {page} of {pages})")
            break
        st, body, note = get_with_retry(s.port, s.token, f"{path}&page={page}")
        if st != 200 or not isinstance(body, dict):
            problems.append(f"GET persons page {page} answered {st} {note}")
            break
        listed.update(norm_id(p["id"]) for p in body.get("items", []))
    lost = persons - listed
    if lost:
        problems.append(f"{len(lost)} of {len(persons)} acknowledged persons missing from GET /api/v1/persons (e.g. {sample(lost)})")
    # Journal notes, read back per person.
    by_person = collections.defaultdict(set)
    for jid, pid in journals.items():
        by_person[pid].add(jid)
    seen = set()
    errors = []
    lock = threading.Lock()
    work = list(by_person)

    def reader():
        while True:
            with lock:
                if not work or time.monotonic() > end + 60:
                    return
                pid = work.pop()
            st, body, note = get_with_retry(s.port, s.token, f"/api/v1/persons/{pid}/journal")
            with lock:
                if st == 200 and isinstance(body, list):
                    seen.update(norm_id(e["id"]) for e in body)
                else:
                    errors.append(f"GET /api/v1/persons/{pid}/journal answered {st} {note}")

    threads = [threading.Thread(target=reader, daemon=True) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=200)
    if work:
        problems.append(f"journal read-back did not finish ({len(work)} persons left)")
    if errors:
        problems.append(f"{len(errors)} journal list calls failed (e.g. {errors[0]})")
    lost = set(journals) - seen
    if lost:
        problems.append(f"{len(lost)} of {len(journals)} acknowledged journal notes missing from GET /api/v1/persons/{{id}}/journal (e.g. {sample(lost)})")
    return problems


def marker_rows(store, marker):
    persons = {norm_id(r[0]) for r in store.query(f"SELECT id FROM persons WHERE family_name = {q(marker)}")}
    journals = {norm_id(r[0]) for r in store.query(f"SELECT id FROM journal_entries WHERE text LIKE {q(marker + ' note %')}")}
    return persons, journals


def audit_verify(suite, res, name):
    try:
        r = subprocess.run([suite.bin, "audit", "verify", "--log", "warning"], cwd=suite.root, env=suite.env,
                           capture_output=True, text=True, timeout=300)
        out = (r.stdout.strip() + " " + r.stderr.strip()).strip()
        log(f"  audit verify: exit {r.returncode}: {out[:300]}")
        res.check(name, r.returncode == 0, f"`innbygger audit verify` exited {r.returncode}: {out[:300]}")
    except subprocess.TimeoutExpired:
        res.check(name, False, "`innbygger audit verify` did not finish in 300 s")


def burst_scenario(suite, res, tag, kill_at):
    s = suite
    marker = f"Stress{s.run_id}{tag}"
    kind = "kill" if kill_at is not None else "burst"
    log(f"\n== {s.label} {kind}: {s.concurrency} writers for {s.duration:g} s"
        + (f", SIGKILL at {kill_at:.0%}" if kill_at is not None else "") + f" (marker {marker})")
    server = Server(s, kind)
    try:
        server.start()
        b = Burst(s, server, marker, kill_at)
        hung = b.run()
        st = b.stats
        log(f"  {b.elapsed:.1f} s; persons: {fmt_counts(st.status['person'])}; journal notes: {fmt_counts(st.status['journal'])}")
        log(f"  acknowledged: {len(st.persons)} persons, {len(st.journals)} journal notes; connection errors: {fmt_counts(st.conn_errors)}")
        for (k, code, text), count in sorted(st.bad_bodies.items(), key=lambda x: -x[1])[:6]:
            log(f"  {count} x {k} {code}: {text}")
        errs = server.error_lines()
        if errs:
            log(f"  server log: {len(errs)} error lines, e.g. {errs[0][:200]}")
        if kill_at is not None:
            res.check(f"{kind}.restart", b.killed_alive and b.restart_error is None,
                      b.restart_error or "the server was not running when the kill was due")
        res.check(f"{kind}.writers-finished", hung == 0, f"{hung} writer threads still hanging")
        n5 = {k: {c: n for c, n in v.items() if c >= 500} for k, v in st.status.items()}
        n4 = {k: {c: n for c, n in v.items() if 400 <= c < 500} for k, v in st.status.items()}
        res.check(f"{kind}.no-5xx", not any(n5.values()),
                  "; ".join(f"{k} {fmt_counts(collections.Counter(v))}" for k, v in n5.items() if v))
        res.check(f"{kind}.no-4xx", not any(n4.values()),
                  "; ".join(f"{k} {fmt_counts(collections.Counter(v))}" for k, v in n4.items() if v))
        unexpected = {p: n for p, n in st.conn_errors.items() if p != "kill-to-ready"}
        res.check(f"{kind}.no-unexpected-connection-errors", not unexpected,
                  f"connection errors {fmt_counts(collections.Counter(unexpected))}")
        res.check(f"{kind}.writes-acknowledged", st.persons and st.journals and st.bad_acks == 0,
                  f"{len(st.persons)} persons and {len(st.journals)} notes acknowledged, {st.bad_acks} 2xx without an id")
        if server.alive():
            problems = verify_api(s, marker, st.persons, st.journals)
            res.check(f"{kind}.acknowledged-in-api", not problems, "; ".join(problems))
        else:
            res.check(f"{kind}.acknowledged-in-api", False, "the server is not running")
        server.stop()
        db_persons, db_journals = marker_rows(s.store, marker)
        index = audit_index(s.store)
        lost_p = st.persons - db_persons
        lost_j = set(st.journals) - db_journals
        log(f"  in the database: {len(db_persons)} marker persons, {len(db_journals)} marker journal notes")
        res.check(f"{kind}.acknowledged-in-db", not lost_p and not lost_j,
                  f"{len(lost_p)} of {len(st.persons)} acknowledged persons and {len(lost_j)} of {len(st.journals)} "
                  f"acknowledged notes are not in the database (e.g. {sample(list(lost_p) + list(lost_j))})")
        for name, ids, ack, akind in (("persons-audited", db_persons, st.persons, PERSON_CREATE),
                                      ("journal-audited", db_journals, set(st.journals), JOURNAL_CREATE)):
            missing, dup = audit_problems(ids, index, akind)
            why = []
            if missing:
                acked = len(set(missing) & ack)
                why.append(f"{len(missing)} of {len(ids)} stored rows have no {akind[0]}/{akind[1]} audit entry "
                           f"({acked} of them acknowledged, {len(missing) - acked} not; e.g. {sample(missing)})")
            if dup:
                why.append(f"{len(dup)} rows have more than one")
            res.check(f"{kind}.{name}", ids and not missing and not dup, "; ".join(why) or "no rows stored")
        audit_verify(s, res, f"{kind}.audit-verify")
    finally:
        server.stop()


# --------------------------------------------------------------------------------------------------- import

def import_csv(marker, rows, household_size=5):
    lines = ["household,householdAddress,relation,givenName,familyName,birthDate,sex,citizenship,residenceGround,settledByAgreement,languages"]
    for i in range(rows):
        h = i // household_size
        main = i % household_size == 0
        birth = "1984-03-12" if main else f"201{i % 10}-0{1 + i % 9}-1{i % 10}"
        sex = "female" if i % 2 else "male"
        lines.append(f"Husstand {marker} {h},Storgata {h % 200 + 1} 2406 Elverum,{'main' if main else 'child'},"
                     f"G{i},{marker},{birth},{sex},SY,refugee,ja,ar:mother_tongue")
    return ("\n".join(lines) + "\n").encode()


def import_rows_in_db(store, marker):
    persons = {norm_id(r[0]) for r in store.query(f"SELECT id FROM persons WHERE family_name = {q(marker)}")}
    households = {norm_id(r[0]) for r in store.query(f"SELECT id FROM households WHERE name LIKE {q('Husstand ' + marker + ' %')}")}
    return persons, households


def import_jobs(store):
    rows = store.query("SELECT id, status, total_rows, persons_created, households_created FROM import_jobs")
    return {norm_id(r[0]): {"status": r[1], "totalRows": int(r[2]), "personsCreated": int(r[3]),
                            "householdsCreated": int(r[4])} for r in rows}


class ImportRun:
    """POSTs a CSV in a thread and watches the database (without locking it) for the job and its rows."""

    def __init__(self, suite, marker, rows, known_jobs):
        self.suite, self.marker, self.rows, self.known = suite, marker, rows, known_jobs
        self.body = import_csv(marker, rows)
        self.response = None  # (status, json or raw)
        self.error = None
        self.t_sent = None
        self.t_done = None
        self.t_job = None  # first seen running
        self.t_rows = None  # all rows first seen
        self.job_id = None
        self.last_status = None
        self.thread = None

    def post(self):
        c = HTTP(self.suite.port, self.suite.token, timeout=300)
        try:
            st, body = c.request("POST", f"/api/v1/imports/persons?municipality={MUNICIPALITY}", self.body, ctype="text/csv")
            try:
                self.response = (st, json.loads(body))
            except ValueError:
                self.response = (st, body[:200])
        except CONN_ERRORS as e:
            self.error = f"{type(e).__name__}: {e}"
        finally:
            self.t_done = time.monotonic()
            c.close()

    def start(self):
        self.t_sent = time.monotonic()
        self.thread = threading.Thread(target=self.post, daemon=True)
        self.thread.start()

    def poll(self):
        """One look at the database (one query, to spare the CPU); never raises."""
        try:
            rows = self.suite.store.query_live(
                f"SELECT id, status, (SELECT count(*) FROM persons WHERE family_name = {q(self.marker)}) FROM import_jobs")
        except Exception:
            return
        for rid, status, count in rows:
            j = norm_id(rid)
            if self.job_id is None and j not in self.known:
                self.job_id = j
            if j == self.job_id:
                self.last_status = status
                if status == "running" and self.t_job is None:
                    self.t_job = time.monotonic()
            try:
                if self.t_rows is None and int(count) >= self.rows:
                    self.t_rows = time.monotonic()
            except (TypeError, ValueError):
                pass

    def finished(self):
        return not self.thread.is_alive()


def wait_for_job(suite, job_id, timeout):
    """An API client's view of a job: polls GET /api/v1/imports/{id} while it says running."""
    end = time.monotonic() + timeout
    st, body = None, None
    while time.monotonic() < end:
        st, body, note = get_with_retry(suite.port, suite.token, f"/api/v1/imports/{job_id}")
        if st != 200 or not isinstance(body, dict) or body.get("status") != "running":
            return st, body
        time.sleep(0.5)
    return st, body


def check_import_rows(suite, res, name, marker, expect_persons, expect_households, index):
    persons, households = import_rows_in_db(suite.store, marker)
    why = []
    if len(persons) != expect_persons:
        why.append(f"{len(persons)} persons stored, the job says {expect_persons}")
    if len(households) != expect_households:
        why.append(f"{len(households)} households stored, the job says {expect_households}")
    for ids, kind in ((persons, PERSON_CREATE), (households, HOUSEHOLD_CREATE)):
        missing, dup = audit_problems(ids, index, kind)
        if missing:
            why.append(f"{len(missing)} of {len(ids)} stored {kind[1]} rows have no {kind[0]}/{kind[1]} audit entry")
        if dup:
            why.append(f"{len(dup)} {kind[1]} rows have more than one")
    return res.check(name, not why, "; ".join(why))


def import_scenario(suite, res):
    s = suite
    rows = s.import_rows
    households = math.ceil(rows / 5)
    log(f"\n== {s.label} import: {rows}-row CSV, plain, then cut off by SIGKILL")
    # ---- plain import
    marker = f"Stress{s.run_id}P"
    known = set(import_jobs(s.store))
    server = Server(s, "import")
    timing = None
    try:
        server.start()
        run = ImportRun(s, marker, rows, known)
        run.start()
        end = time.monotonic() + 300
        while not run.finished() and time.monotonic() < end:
            run.poll()
            time.sleep(0.1)
        run.thread.join(timeout=max(0.0, end - time.monotonic()))
        st, body = run.response or (None, run.error)
        log(f"  plain import answered {st} after {run.t_done - run.t_sent:.1f} s"
            + (f" (job running from {run.t_job - run.t_sent:.1f} s" if run.t_job else " (job not seen running")
            + (f", all rows committed by {run.t_rows - run.t_sent:.1f} s)" if run.t_rows else ")"))
        if run.t_job and run.t_rows:
            timing = (run.t_job - run.t_sent, run.t_rows - run.t_sent)
        job_id = None
        if isinstance(body, dict) and body.get("id"):
            job_id = norm_id(body["id"])
            if body.get("status") == "running":  # an API that answers at once and stores in the background
                st2, body2 = wait_for_job(s, job_id, 300)
                log(f"  the job was running; GET /api/v1/imports/{{id}} then said {st2} {body2 and body2.get('status')}")
                body = body2 if isinstance(body2, dict) else body
        else:
            log(f"  response: {str(body)[:300]}")
        ok = (st is not None and 200 <= st < 300 and isinstance(body, dict) and body.get("status") == "done"
              and body.get("personsCreated") == rows and body.get("householdsCreated") == households
              and body.get("totalRows") == rows)
        res.check("import.plain-done", ok,
                  f"answered {st} {json.dumps(body)[:300] if isinstance(body, dict) else body}; expected done with "
                  f"{rows} persons and {households} households")
        if job_id:
            st3, body3, note = get_with_retry(s.port, s.token, f"/api/v1/imports/{job_id}")
            res.check("import.plain-job", st3 == 200 and isinstance(body3, dict) and body3.get("status") == "done"
                      and body3.get("personsCreated") == rows,
                      f"GET /api/v1/imports/{job_id} answered {st3} {json.dumps(body3)[:200] if body3 else note}")
        server.stop()
        check_import_rows(s, res, "import.plain-stored-and-audited", marker, rows, households, audit_index(s.store))
    finally:
        server.stop()
    # ---- cut off
    for point in s.kill_points:
        import_kill(s, res, point, timing)
    audit_verify(s, res, "import.audit-verify")


def import_kill(suite, res, point, timing):
    s = suite
    rows = s.import_rows
    households = math.ceil(rows / 5)
    marker = f"Stress{s.run_id}{'S' if point == 'during-store' else 'C'}"
    known = set(import_jobs(s.store))
    name = f"import.kill-{point}"
    server = Server(s, f"import-{point}")
    try:
        server.start()
        run = ImportRun(s, marker, rows, known)
        run.start()
        # During the store: half-way between the job appearing and the rows committing in the plain run.
        delay = 0.3 if timing is None else max(0.05, min(10.0, 0.5 * (timing[1] - timing[0])))
        end = time.monotonic() + 300
        trigger = None
        while time.monotonic() < end:
            run.poll()
            if run.finished():
                trigger = "the import answered before it could be caught"
                break
            if point == "during-store" and run.t_job and time.monotonic() >= run.t_job + delay:
                trigger = f"{delay:.2f} s after the job was seen running"
                break
            if point == "after-commit" and run.t_rows:
                trigger = f"all rows visible, job {run.last_status or 'unknown'}"
                break
            time.sleep(0.02)
        else:
            trigger = "timed out waiting (300 s)"
        t_kill = time.monotonic()
        answered = run.finished()
        server.kill()
        run.thread.join(timeout=30)
        log(f"  [{point}] SIGKILL at {t_kill - run.t_sent:.2f} s: {trigger}")
        if answered:
            st, body = run.response or (None, run.error)
            log(f"  [{point}] the import had already answered {st}: {json.dumps(body)[:200] if isinstance(body, dict) else body}")
            if isinstance(body, dict) and body.get("id"):
                run.job_id = run.job_id or norm_id(body["id"])
        # What the database holds after the kill, before any restart.
        jobs = import_jobs(s.store)
        if run.job_id is None:
            new = [j for j in jobs if j not in known]
            run.job_id = new[0] if new else None
        before = jobs.get(run.job_id)
        p_rows, h_rows = import_rows_in_db(s.store, marker)
        index = audit_index(s.store)
        audited = sum(1 for p in p_rows if index[(PERSON_CREATE[0], PERSON_CREATE[1], p)] > 0)
        if before is None:
            phase = "before the job was recorded"
        elif before["status"] != "running":
            phase = f"after the job ended ({before['status']})"
        elif not p_rows:
            phase = "while the rows were being stored (nothing committed)"
        else:
            phase = f"after the rows were committed, with {audited} of {len(p_rows)} persons audited"
        log(f"  [{point}] at the kill: job {before['status'] if before else 'absent'}; {len(p_rows)} persons, "
            f"{len(h_rows)} households stored; {audited} persons audited → killed {phase}")
        # Restart on the same database and ask the API what became of the job.
        server.start()
        if run.job_id is None:
            res.check(name, False, f"no import job was recorded before the kill ({trigger}); nothing to check")
            return
        st, body, note = get_with_retry(s.port, s.token, f"/api/v1/imports/{run.job_id}")
        if st == 200 and isinstance(body, dict) and body.get("status") == "running":
            # A job may legitimately run on after a restart only if the server resumes it; give it time.
            st, body = wait_for_job(s, run.job_id, 120)
        server.stop()
        p_rows, h_rows = import_rows_in_db(s.store, marker)
        index = audit_index(s.store)
        if st != 200 or not isinstance(body, dict):
            res.check(name, False, f"after the restart GET /api/v1/imports/{run.job_id} answered {st} {note}")
            return
        status, created, hh = body.get("status"), body.get("personsCreated"), body.get("householdsCreated")
        msg = "; ".join(p.get("message", "") for p in body.get("problems", []) if isinstance(p, dict))[:200]
        log(f"  [{point}] after the restart the job says {status}, {created} persons, {hh} households"
            + (f" ({msg})" if msg else "") + f"; the database holds {len(p_rows)} persons, {len(h_rows)} households")
        if status == "running":
            res.check(name, False, "the job still says running after the restart")
        elif status == "failed":
            why = []
            if created or hh:
                why.append(f"failed but reports {created} persons and {hh} households created")
            if p_rows or h_rows:
                unaudited = len(audit_problems(p_rows, index, PERSON_CREATE)[0]) + len(audit_problems(h_rows, index, HOUSEHOLD_CREATE)[0])
                why.append(f"the job says failed/{created or 0} created, yet {len(p_rows)} persons and {len(h_rows)} "
                           f"households of the file are stored ({unaudited} of them without their create audit entry)")
            res.check(name, not why, "; ".join(why))
        elif status == "done":
            if created != rows:
                log(f"  [{point}] note: done with {created} of {rows} rows")
            check_import_rows(s, res, name, marker, created or 0, hh or 0, index)
        else:
            res.check(name, False, f"unknown job status {status!r}")
    finally:
        server.stop()


# --------------------------------------------------------------------------------------------------- suite

class Suite:
    def __init__(self, args):
        self.bin = os.path.abspath(args.bin)
        self.root = os.path.abspath(args.root or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
        self.duration = args.duration
        self.concurrency = args.concurrency
        self.kill_at = args.kill_at
        self.import_rows = args.import_rows
        self.kill_points = [p for p in args.import_kill_points.split(",") if p]
        self.run_id = "".join(random.choice(string.ascii_lowercase) for _ in range(6))
        self.tmp = tempfile.mkdtemp(prefix="innbygger-stress.")
        self.port = free_port()
        self.servers = []
        self.starts = 0
        env = dict(os.environ)
        # The data directory holds the SQLite file, and on either database whatever else the server keeps on disk.
        env["INNBYGGER_DATA_DIR"] = os.path.join(self.tmp, "data")
        os.makedirs(env["INNBYGGER_DATA_DIR"], mode=0o700)
        env["INNBYGGER_BCRYPT_COST"] = "4"
        if args.database_url:
            env["DATABASE_URL"] = args.database_url
            env["INNBYGGER_DEMO"] = "1"
            self.store = PostgresStore(args.database_url)
            self.label = args.label or "postgres"
        else:
            env.pop("DATABASE_URL", None)
            env.pop("INNBYGGER_DEMO", None)
            self.store = SqliteStore(os.path.join(env["INNBYGGER_DATA_DIR"], "innbygger.sqlite"))
            self.label = args.label or "sqlite"
        self.env = env
        self.token = None

    def stop_all(self):
        for srv in self.servers:
            try:
                srv.stop()
            except Exception:
                pass


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True, help="the innbygger executable")
    ap.add_argument("--root", help="the project directory (default: two levels above this file)")
    ap.add_argument("--database-url", help="an empty PostgreSQL database; default: a fresh SQLite file")
    ap.add_argument("--label", help="prefix of the check names (default sqlite or postgres)")
    ap.add_argument("--duration", type=float, default=20.0, help="seconds per burst (default 20)")
    ap.add_argument("--concurrency", type=int, default=16, help="concurrent writers (default 16)")
    ap.add_argument("--kill-at", type=float, default=0.4, help="fraction of the burst after which the server is killed")
    ap.add_argument("--import-rows", type=int, default=5000, help="rows in the import file (default 5000)")
    ap.add_argument("--import-kill-points", default="during-store,after-commit",
                    help="comma-separated: during-store, after-commit")
    ap.add_argument("--scenarios", default="burst,kill,import", help="comma-separated: burst, kill, import")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()
    if not os.access(args.bin, os.X_OK):
        log(f"FAIL setup: {args.bin} is not an executable")
        return 2
    # A stop by SIGTERM still runs the finally blocks that stop the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    suite = Suite(args)
    res = Results(suite.label)
    scenarios = [x for x in args.scenarios.split(",") if x]
    t0 = time.monotonic()
    log(f"stress on {suite.label}: {suite.bin}, temporary files in {suite.tmp}, port {suite.port}")
    try:
        # First start: migrates and loads the demo; then an API token for the case worker.
        first = Server(suite, "setup")
        try:
            first.start()
            r = subprocess.run([suite.bin, "token", "--user", USER, "--name", "stress", "--log", "warning"],
                               cwd=suite.root, env=suite.env, capture_output=True, text=True, timeout=120)
            suite.token = r.stdout.strip()
            if r.returncode != 0 or not suite.token:
                res.check("setup", False, f"`innbygger token` exited {r.returncode}: {r.stderr.strip()[:200]}")
                return 1
        finally:
            first.stop()
        for sc in scenarios:
            try:
                if sc == "burst":
                    burst_scenario(suite, res, "B", None)
                elif sc == "kill":
                    burst_scenario(suite, res, "K", suite.kill_at)
                elif sc == "import":
                    import_scenario(suite, res)
                else:
                    res.check(sc, False, "unknown scenario")
            except Exception as e:  # one broken scenario must not hide the others
                res.check(f"{sc}.completed", False, f"{type(e).__name__}: {str(e)[:400]}")
    except Exception as e:
        res.check("setup", False, f"{type(e).__name__}: {str(e)[:400]}")
    finally:
        suite.stop_all()
        if res.failed == 0 and not args.keep:
            shutil.rmtree(suite.tmp, ignore_errors=True)
        else:
            log(f"server logs and data kept in {suite.tmp}")
    log(f"stress-summary: {res.passed} passed, {res.failed} failed ({time.monotonic() - t0:.0f} s)")
    return 0 if res.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
