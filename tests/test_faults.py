"""Fault tests with real processes: each fault hits a real loader process at the right moment, and
afterwards a normal run must leave exactly-once results and a consistent ledger.

The loader runs in child processes, never in the test process. Importing Great Expectations costs
6-20 s on this machine, so a *preloaded loader process* (``ZYGOTE``) imports the package and GX once
and forks one child per load: each child is a real process (its own pid, its own database
connections, killed with SIGKILL), running ``load.ingest_partner`` with the test's environment
(``MDW_HOME``, ``MDW_WAREHOUSE_URI``, ``MDW_LANDING_DIR``, ``MDW_SETTLE_SECONDS``). The moment to kill
is found by polling ``pg_stat_activity`` (the COPY statement, the GX queries), not by sleeping.

Filesystem faults use real file systems: a small tmpfs (full, remounted read-only) and a read-only bind
mount. We run as root, where ``chmod`` stops nothing; where mounting is impossible the full-archive test
falls back to ``RLIMIT_FSIZE`` in the loader child (EFBIG), the others are skipped.
"""

from __future__ import annotations

import calendar
import contextlib
import hashlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from mdw_dev.samples.base import CRIME_MIX, buurten, dmy
from monitor_dordt_west import config
from monitor_dordt_west.ingestion import ledger, registry
from monitor_dordt_west.ingestion.pseudonym import synthetic_bsn
from monitor_dordt_west.warehouse.connection import PgTarget, connect
from tests.conftest import query
from tests.deliveries import INCIDENTEN_HEADER, MISDRIJVEN_HEADER, UITKERINGEN_HEADER

KEY = "cd" * 32  # the pseudonym key of these tests
OPERATOR = "de volgende run verwerkt het opnieuw"  # every InfrastructureError message ends so

# --------------------------------------------------------------------------- the loader processes

ZYGOTE = r"""
import dataclasses, json, logging, os, resource, signal, sys, traceback
import great_expectations  # noqa: F401 - imported once here instead of in every loader child
import monitor_dordt_west.ingestion.validation  # noqa: F401
from monitor_dordt_west.ingestion import load as ingest  # not `load`: the name of the child's function below
from monitor_dordt_west.ingestion import raw_tables
from monitor_dordt_west.warehouse import connection
children = {}


def reap(*_):
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        out = children.pop(pid, None)
        if out:
            with open(out + ".rc.tmp", "w") as fh:
                fh.write(str(os.waitstatus_to_exitcode(status)))
            os.replace(out + ".rc.tmp", out + ".rc")


def load(req):
    code = 1
    try:
        fd = os.open(req["out"] + ".log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
        os.environ.update(req["env"])
        if req.get("fsize"):
            resource.setrlimit(resource.RLIMIT_FSIZE, (req["fsize"], resource.RLIM_INFINITY))
        logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
        for name in ("great_expectations", "sqlalchemy", "urllib3", "posthog"):
            logging.getLogger(name).setLevel(logging.WARNING)
        tgt = connection.target()
        raw_tables.ensure_schema(tgt)
        outcomes = []
        for partner in req["partners"]:
            outcomes += [dataclasses.asdict(o) for o in ingest.ingest_partner(partner, tgt)[0]]
        with open(req["out"] + ".json", "w") as fh:
            json.dump(outcomes, fh, default=str)
        code = 0
    except BaseException:
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


signal.signal(signal.SIGCHLD, reap)
print("ready", flush=True)
while line := sys.stdin.readline():
    req = json.loads(line)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
        load(req)
    children[pid] = req["out"]
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
    print(pid, flush=True)
"""


@dataclass
class Run:
    """One loader child: ``rc`` is its exit code once it ended (-9: killed by SIGKILL)."""

    pid: int
    out: str

    def _file(self, suffix: str) -> Path:
        return Path(self.out + suffix)

    @property
    def rc(self) -> int | None:
        f = self._file(".rc")
        return int(f.read_text()) if f.exists() else None

    @property
    def running(self) -> bool:
        return self.rc is None

    @property
    def log(self) -> str:
        f = self._file(".log")
        return f.read_text(errors="replace") if f.exists() else ""

    @property
    def outcomes(self) -> list[dict]:
        return json.loads(self._file(".json").read_text())

    def wait(self, timeout: float = 240) -> int:
        deadline = time.monotonic() + timeout
        while (rc := self.rc) is None:
            if time.monotonic() > deadline:
                os.kill(self.pid, signal.SIGKILL)
                pytest.fail(f"loader {self.pid} did not end within {timeout} s:\n{self.log[-3000:]}")
            time.sleep(0.02)
        return rc

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        assert self.wait(30) == -signal.SIGKILL, self.log[-3000:]

    def assert_clean(self) -> None:
        """Ended normally, without a traceback in its output (a platform fault is an outcome, not a crash)."""
        assert self.wait() == 0, self.log[-3000:]
        assert "Traceback" not in self.log, self.log[-3000:]


class Loader:
    def __init__(self, proc: subprocess.Popen, folder: Path):
        self.proc, self.folder, self.n, self.ready = proc, folder, 0, False

    def _line(self, timeout: float) -> str:
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            log = (self.folder / "zygote.log").read_text(errors="replace")
            pytest.fail(f"the preloaded loader process does not answer:\n{log[-3000:]}")
        return line.strip()

    def warm(self) -> None:
        """Wait until the preloaded process has imported GX (it does so while the first test prepares)."""
        if not self.ready:
            assert self._line(180) == "ready"
            self.ready = True

    def start(self, env: dict[str, str], partners: list[str], fsize: int | None = None) -> Run:
        self.warm()
        self.n += 1
        out = str(self.folder / f"run{self.n}")
        self.proc.stdin.write(json.dumps({"out": out, "env": env, "partners": partners, "fsize": fsize}) + "\n")
        self.proc.stdin.flush()
        return Run(int(self._line(30)), out)

    def run(self, env: dict[str, str], partners: list[str], **kw) -> Run:
        """A normal run to its end."""
        run = self.start(env, partners, **kw)
        run.assert_clean()
        return run


@pytest.fixture(scope="module")
def loader(tmp_path_factory):
    folder = tmp_path_factory.mktemp("loader")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", DO_NOT_TRACK="1")
    with open(folder / "zygote.log", "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-c", ZYGOTE],
            cwd=config.PROJECT_DIR,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
    try:
        yield Loader(proc, folder)
    finally:
        proc.stdin.close()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


# --------------------------------------------------------------------------- a landing site per test


@dataclass
class Site:
    tgt: PgTarget
    home: Path
    landing: Path

    def env(self, settle: float = 0) -> dict[str, str]:
        return {
            "MDW_HOME": str(self.home),
            "MDW_WAREHOUSE_URI": self.tgt.uri(),
            "MDW_LANDING_DIR": str(self.landing),
            "MDW_SETTLE_SECONDS": str(settle),
            "MDW_PSEUDONYM_KEY": KEY,
        }


def _site(tgt, tmp_path, monkeypatch) -> Site:
    home, landing = tmp_path / "home", tmp_path / "landing"
    home.mkdir()
    landing.mkdir()
    monkeypatch.setenv("MDW_HOME", str(home))
    monkeypatch.setenv("MDW_LANDING_DIR", str(landing))
    return Site(tgt, home, landing)


@pytest.fixture
def site(fresh_db, tmp_path, monkeypatch) -> Site:
    return _site(fresh_db, tmp_path, monkeypatch)


# --------------------------------------------------------------------------- deliveries

BUURTEN = [b.code for b in buurten()]
CRIMES = [(c, label) for c, label, _ in CRIME_MIX]


@dataclass(frozen=True)
class File:
    partner: str
    dataset: str  # registry name, e.g. misdrijven
    path: Path
    rows: int

    @property
    def sha(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def misdrijven_text(year: int, month: int, rows: int) -> bytes:
    days = [dmy(date(year, month, d)) for d in range(1, calendar.monthrange(year, month)[1] + 1)]
    lines = [";".join(MISDRIJVEN_HEADER)]
    for i in range(rows):
        code, label = CRIMES[i % len(CRIMES)]
        day = days[i % len(days)]
        lines.append(f"PL17{month:02d}-{year}{i:06d};{day};{day};{code};{label};{BUURTEN[i % len(BUURTEN)]}")
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def misdrijven(landing: Path, year: int, month: int, rows: int) -> File:
    path = landing / "politie" / f"POL_misdrijven_{year}{month:02d}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(misdrijven_text(year, month, rows))
    return File("politie", "misdrijven", path, rows)


def incidenten(landing: Path, year: int, month: int, rows: int) -> File:
    days = [dmy(date(year, month, d)) for d in range(1, 29)]
    cats = ("overlast jeugd", "burenruzie", "overige overlast")
    lines = [";".join(INCIDENTEN_HEADER)]
    lines += [
        f"I{year}{month:02d}{i:07d};{days[i % 28]};E30;{cats[i % 3]};{BUURTEN[i % len(BUURTEN)]}" for i in range(rows)
    ]
    path = landing / "politie" / f"POL_incidenten_{year}{month:02d}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return File("politie", "incidenten", path, rows)


def uitkeringen_text(year: int, month: int, rows: int) -> bytes:
    peil = date(year, month, calendar.monthrange(year, month)[1]).isoformat()
    lines = [";".join(UITKERINGEN_HEADER)]
    lines += [
        f"{synthetic_bsn(i + 1)};{peil};PW;2020-01-01;alleenstaand;{1950 + i % 50};{BUURTEN[i % len(BUURTEN)]}"
        for i in range(rows)
    ]
    return b"\xef\xbb\xbf" + ("\r\n".join(lines) + "\r\n").encode("utf-8")


def uitkeringen(landing: Path, year: int, month: int, rows: int) -> File:
    path = landing / "sdd" / f"SDD_uitkeringen_{year}{month:02d}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(uitkeringen_text(year, month, rows))
    return File("sdd", "uitkeringen", path, rows)


# --------------------------------------------------------------------------- checks


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def ledger_rows(tgt, file: File, sha: str) -> list[tuple]:
    return query(
        tgt,
        "SELECT delivery_id, status, reason, times_received, rows_loaded, stored_as, archive_sha256 "
        "FROM mdw_meta.load_ledger WHERE dataset = %s AND sha256 = %s ORDER BY delivery_id",
        (f"{file.partner}.{file.dataset}", sha),
    )


def raw_count(tgt, file: File) -> int:
    return query(tgt, f"SELECT count(*) FROM raw_{file.partner}.{file.dataset}")[0][0]


def work_tables(tgt) -> list[str]:
    return [r[0] for r in query(tgt, "SELECT tablename FROM pg_tables WHERE schemaname = 'loading'")]


def statuses(tgt) -> list[str]:
    return [r[0] for r in query(tgt, "SELECT status FROM mdw_meta.load_ledger ORDER BY delivery_id")]


def assert_nothing_loaded(site: Site, *files: File) -> None:
    """After a fault: nothing visible, every file still in the landing folder, nothing blamed on the partner."""
    for f in files:
        assert raw_count(site.tgt, f) == 0
        assert f.path.exists(), f"{f.path.name} must stay in the landing folder"
    assert not {ledger.Status.QUARANTINED, ledger.Status.HELD, ledger.Status.LOADED} & set(statuses(site.tgt)), (
        statuses(site.tgt)
    )
    assert list(site.home.rglob("*.tmp")) == []


def assert_exactly_once(site: Site, *files: tuple[File, str], aborted: int | None = None) -> None:
    """Each (file, sha of its content) loaded exactly once, and the ledger and the folders consistent:
    one ``loaded`` row per content (received once) plus only ``aborted`` ones, no ``loading`` rows,
    no work tables, no temporary archive files, an empty landing folder, archive copies as recorded."""
    tgt = site.tgt
    for f, sha in files:
        rows = ledger_rows(tgt, f, sha)
        loaded = [r for r in rows if r[1] == ledger.Status.LOADED]
        assert len(loaded) == 1, rows
        assert {r[1] for r in rows} <= {ledger.Status.LOADED, ledger.Status.ABORTED}, rows
        delivery_id, _, _, times_received, rows_loaded, stored_as, archive_sha = loaded[0]
        assert times_received == 1, rows
        assert rows_loaded == f.rows
        table = f"raw_{f.partner}.{f.dataset}"
        ds = registry.dataset(f"{f.partner}.{f.dataset}")
        key = ds.column(ds.key[0])  # registratienummer, incidentnummer, persoon_pseudoniem
        assert query(
            tgt,
            f"SELECT count(*), count(DISTINCT _line), min(_line), max(_line), count(DISTINCT {key.name}) "
            f"FROM {table} WHERE _delivery_id = %s",
            (delivery_id,),
        ) == [(f.rows, f.rows, 2, f.rows + 1, f.rows)], "every line of the file, once"
        assert sha256_file(Path(stored_as)) == archive_sha
        if f.partner != "sdd":
            assert archive_sha == sha
        else:  # the pseudonymised copy, with the original's checksum beside it
            assert archive_sha != sha
            assert Path(stored_as + ".sha256").read_text().startswith(sha)
    # nothing else in the raw tables of these datasets
    for table in {f"raw_{f.partner}.{f.dataset}" for f, _ in files}:
        expected = sum(f.rows for f, _ in files if f"raw_{f.partner}.{f.dataset}" == table)
        assert query(tgt, f"SELECT count(*) FROM {table}") == [(expected,)], table
    states = statuses(tgt)
    assert states.count(ledger.Status.LOADED) == len(files), states
    assert set(states) <= {ledger.Status.LOADED, ledger.Status.ABORTED}, states
    if aborted is not None:
        assert states.count(ledger.Status.ABORTED) == aborted, states
    assert work_tables(tgt) == []
    assert list(site.home.rglob("*.tmp")) == []
    for f, _ in files:
        assert list(f.path.parent.iterdir()) == [], "the landing folder is empty"


def wait_for_activity(tgt: PgTarget, run: Run, condition: str, params=(), timeout: float = 120) -> tuple:
    """Poll pg_stat_activity of the target's database until a statement matching ``condition`` is active."""
    deadline = time.monotonic() + timeout
    with connect(tgt, autocommit=True) as conn:
        while True:
            row = conn.execute(
                "SELECT pid, application_name, left(query, 120) FROM pg_stat_activity "
                f"WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active' AND {condition}",
                params,
            ).fetchone()
            if row:
                return row
            if not run.running:
                pytest.fail(f"the loader ended before the moment to strike came ({condition}):\n{run.log[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"no statement matching {condition} within {timeout} s")
            time.sleep(0.003)


COPYING = "query ILIKE 'COPY loading.%%'"


def _written(folder: Path, pattern: str) -> bool:
    """A file matching ``pattern`` in ``folder`` has bytes (it may vanish while we look)."""
    for path in folder.glob(pattern):
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_size:
                return True
    return False


def outcome_of(run: Run, file: File) -> list[dict]:
    return [o for o in run.outcomes if o["file_name"] == file.path.name]


# --------------------------------------------------------------------------- mounts


class Mounts:
    """Real mounts for the test, always undone at its end."""

    def __init__(self):
        self.points: list[Path] = []

    def tmpfs(self, path: Path, size: str) -> bool:
        path.mkdir(parents=True, exist_ok=True)
        if shutil.which("mount") is None:
            return False
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True
        ).returncode
        if done == 0:
            self.points.append(path)
        return done == 0

    def bind_read_only(self, path: Path) -> bool:
        path.mkdir(parents=True, exist_ok=True)
        if subprocess.run(["mount", "--bind", str(path), str(path)], capture_output=True).returncode:
            return False
        self.points.append(path)
        subprocess.run(["mount", "-o", "remount,bind,ro", str(path)], check=True)
        return True

    def remount(self, path: Path, options: str) -> None:
        subprocess.run(["mount", "-o", f"remount,{options}", str(path)], check=True)

    def umount(self, path: Path) -> None:
        subprocess.run(["umount", str(path)], check=True)
        self.points.remove(path)

    def undo(self) -> None:
        for path in reversed(self.points):
            if subprocess.run(["umount", str(path)], capture_output=True).returncode:
                subprocess.run(["umount", "-l", str(path)], capture_output=True)
        self.points.clear()


@pytest.fixture
def mounts():
    m = Mounts()
    yield m
    m.undo()


def require_mount(mounts: Mounts, tmp_path: Path) -> None:
    probe = tmp_path / "mount-probe"
    if not mounts.tmpfs(probe, "64k"):
        pytest.skip("mounting a tmpfs is not possible here (needs root / CAP_SYS_ADMIN); as root chmod stops nothing")
    mounts.umount(probe)


def fill(folder: Path) -> Path:
    """Fill the file system of ``folder`` up to the last byte."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as fh:
        for block in (b"\0" * 65536, b"\0"):
            with contextlib.suppress(OSError):
                while True:
                    fh.write(block)
    return filler


# --------------------------------------------------------------------------- SIGKILL


@pytest.mark.parametrize("partner", ["politie", "sdd"])
def test_sigkill_during_copy_then_next_run_loads_exactly_once(loader, site, partner):
    f = (
        misdrijven(site.landing, 2024, 1, 200_000)
        if partner == "politie"
        else uitkeringen(site.landing, 2024, 1, 60_000)
    )
    sha = f.sha
    run = loader.start(site.env(), [partner])
    wait_for_activity(site.tgt, run, COPYING)
    if partner == "sdd":  # and the pseudonymised archive copy is being written beside it
        while not _written(site.home / "archive" / "sdd", "*.tmp"):
            assert run.running, run.log[-3000:]
            time.sleep(0.002)
        wait_for_activity(site.tgt, run, COPYING)
    run.kill()  # mid-COPY: the work table and the COPY are one uncommitted transaction
    ((delivery_id, status, *_),) = ledger_rows(site.tgt, f, sha)
    assert status == ledger.Status.LOADING  # what a killed load leaves behind
    assert raw_count(site.tgt, f) == 0 and f.path.exists()
    leftovers = list(site.home.rglob("*.tmp"))
    if partner == "sdd":  # the pseudonymised archive copy was being written beside the COPY
        assert [p.name for p in leftovers] == [f"{delivery_id:08d}__SDD_uitkeringen_202401.csv.tmp"]
    else:
        assert leftovers == []

    again = loader.run(site.env(), [partner])
    assert [o["status"] for o in again.outcomes] == ["loaded"], again.log[-3000:]
    assert_exactly_once(site, (f, sha), aborted=1)
    assert ledger_rows(site.tgt, f, sha)[0][1:3] == (ledger.Status.ABORTED, ledger.INTERRUPTED)


def test_sigkill_during_gx_validation_then_next_run_loads_exactly_once(loader, site):
    f = misdrijven(site.landing, 2024, 1, 200_000)
    sha = f.sha
    run = loader.start(site.env(), ["politie"])
    wait_for_activity(site.tgt, run, COPYING)
    # GX's own connections (SQLAlchemy: no application_name) querying the committed work table
    wait_for_activity(
        site.tgt, run, "application_name <> 'monitor_dordt_west' AND query ILIKE %s", ("%loading.misdrijven__d%",)
    )
    run.kill()
    ((delivery_id, status, *_),) = ledger_rows(site.tgt, f, sha)
    assert status == ledger.Status.LOADING
    assert work_tables(site.tgt) == [f"misdrijven__d{delivery_id}"]  # COPY was committed: killed in the checks
    assert query(site.tgt, f"SELECT count(*) FROM loading.misdrijven__d{delivery_id}") == [(f.rows,)]
    assert_nothing_loaded(site, f)

    again = loader.run(site.env(), ["politie"])
    assert [o["status"] for o in again.outcomes] == ["loaded"], again.log[-3000:]
    assert_exactly_once(site, (f, sha), aborted=1)
    assert ledger_rows(site.tgt, f, sha)[0][1:3] == (ledger.Status.ABORTED, ledger.INTERRUPTED)


# --------------------------------------------------------------------------- PostgreSQL stopped abruptly


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture
def own_server(tmp_path):
    """A PostgreSQL of this test alone (the session's server is shared: never killed)."""
    from monitor_dordt_west import migration
    from monitor_dordt_west.warehouse.connection import EmbeddedPostgres

    server = EmbeddedPostgres(tmp_path / "pg", _free_port(), dbname="monitor")
    tgt = server.ensure_running()
    migration.migrate(tgt)
    yield server, tgt
    with contextlib.suppress(Exception):
        server.stop()


def test_postgres_killed_mid_load_then_next_run_loads_exactly_once(loader, own_server, tmp_path, monkeypatch):
    server, tgt = own_server
    site = _site(tgt, tmp_path, monkeypatch)
    f = misdrijven(site.landing, 2024, 1, 200_000)
    sha = f.sha
    run = loader.start(site.env(), ["politie"])
    wait_for_activity(tgt, run, COPYING)
    postmaster = int((server.pgdata / "postmaster.pid").read_text().split()[0])
    backends = _children_of(postmaster)
    os.kill(postmaster, signal.SIGKILL)  # abruptly: no shutdown, no checkpoint

    run.assert_clean()
    (outcome,) = run.outcomes
    assert outcome["status"] == "failed", outcome
    assert "de verbinding met het warehouse viel weg" in outcome["message"] and OPERATOR in outcome["message"]
    assert f.path.exists()
    # The orphaned backends notice the postmaster's death and exit (a zombie holds no shared memory);
    # the postmaster must be reaped (by init, after a while) before its pid stops counting as running.
    deadline = time.monotonic() + 60
    while any(_alive(p) for p in backends) or (Path("/proc") / str(postmaster)).exists():
        if time.monotonic() > deadline:
            pytest.fail(f"the killed postmaster {postmaster} or its backends {backends} are still there after 60 s")
        time.sleep(0.05)
    server.ensure_running()  # crash recovery
    assert statuses(tgt) == [ledger.Status.LOADING]  # never 'quarantined': the partner is not blamed for our fault
    assert_nothing_loaded(site, f)

    again = loader.run(site.env(), ["politie"])
    assert [o["status"] for o in again.outcomes] == ["loaded"], again.log[-3000:]
    assert_exactly_once(site, (f, sha), aborted=1)


# --------------------------------------------------------------------------- full / read-only archive


def test_full_archive_fails_the_load_then_loads_exactly_once_after_the_fix(loader, site, mounts, tmp_path):
    pol = misdrijven(site.landing, 2024, 1, 25_000)
    sdd = uitkeringen(site.landing, 2024, 1, 20_000)
    assert pol.size > 1 << 20 and sdd.size > 1 << 20
    shas = {pol: pol.sha, sdd: sdd.sha}
    archive = site.home / "archive"
    if mounts.tmpfs(archive, "1m"):
        fsize = None
    else:  # no mount here: the loader child may write files of at most 1 MiB (EFBIG instead of ENOSPC)
        fsize = 1 << 20
    run = loader.start(site.env(), ["politie", "sdd"], fsize=fsize)
    run.assert_clean()
    for f in (pol, sdd):
        (outcome,) = outcome_of(run, f)
        assert outcome["status"] == "failed", outcome
        assert "Het bestand blijft in de landingsmap; niets is geladen" in outcome["message"], outcome
        assert OPERATOR in outcome["message"]
        assert [r[1] for r in ledger_rows(site.tgt, f, shas[f])] == [ledger.Status.ABORTED]
    assert "kon niet worden gearchiveerd" in outcome_of(run, pol)[0]["message"]
    assert statuses(site.tgt) == [ledger.Status.ABORTED, ledger.Status.ABORTED]
    assert_nothing_loaded(site, pol, sdd)
    assert work_tables(site.tgt) == []

    # the fix: more room (or no limit)
    if fsize is None:
        mounts.remount(archive, "size=64m")
    again = loader.run(site.env(), ["politie", "sdd"])
    assert sorted(o["status"] for o in again.outcomes) == ["loaded", "loaded"], again.log[-3000:]
    assert_exactly_once(site, (pol, shas[pol]), (sdd, shas[sdd]), aborted=2)


def test_read_only_archive_fails_the_load_then_loads_exactly_once_after_the_fix(loader, site, mounts, tmp_path):
    require_mount(mounts, tmp_path)
    pol = misdrijven(site.landing, 2024, 1, 20_000)
    sdd = uitkeringen(site.landing, 2024, 1, 10_000)
    shas = {pol: pol.sha, sdd: sdd.sha}
    archive = site.home / "archive"
    assert mounts.tmpfs(archive, "64m")
    (archive / "politie").mkdir(mode=0o700)  # politie delivered before; SDD's folder does not exist yet
    mounts.remount(archive, "ro")
    run = loader.run(site.env(), ["politie", "sdd"])
    for f in (pol, sdd):
        (outcome,) = outcome_of(run, f)
        assert outcome["status"] == "failed", outcome
        assert OPERATOR in outcome["message"] and "Read-only file system" in outcome["message"], outcome
        assert [r[1] for r in ledger_rows(site.tgt, f, shas[f])] == [ledger.Status.ABORTED]
    assert_nothing_loaded(site, pol, sdd)
    assert work_tables(site.tgt) == []

    mounts.remount(archive, "rw")
    again = loader.run(site.env(), ["politie", "sdd"])
    assert sorted(o["status"] for o in again.outcomes) == ["loaded", "loaded"], again.log[-3000:]
    assert_exactly_once(site, (pol, shas[pol]), (sdd, shas[sdd]), aborted=2)


# --------------------------------------------------------------------------- full / read-only quarantine


def _bad_files(landing: Path) -> list[tuple[Path, str]]:
    """Bad deliveries and the words their reason must hold: a wrong header (refused after the ledger
    row is made) and names matching no agreed delivery (refused before any dataset is known)."""
    (landing / "politie").mkdir(parents=True, exist_ok=True)
    (landing / "sdd").mkdir(parents=True, exist_ok=True)
    wrong_header = landing / "politie" / "POL_misdrijven_202401.csv"
    wrong_header.write_bytes(misdrijven_text(2024, 1, 50).replace(b"Buurtcode", b"Wijkcode", 1))
    unknown = landing / "politie" / "POL_aangiften_202401.csv"
    unknown.write_bytes(b"a;b\r\n1;2\r\n")
    unknown_sdd = landing / "sdd" / "SDD_toeslagen_202401.csv"
    unknown_sdd.write_bytes(b"a;b\r\n1;2\r\n")
    agreed = "komt niet overeen met een afgesproken levering"
    return [(wrong_header, "Wijkcode"), (unknown, agreed), (unknown_sdd, agreed)]


@pytest.mark.parametrize("fault", ["full", "read-only"])
def test_quarantine_fault_does_not_blame_the_partner(loader, fresh_db, mounts, tmp_path, monkeypatch, fault):
    require_mount(mounts, tmp_path)
    if fault == "full":  # landing and quarantine on one small file system (a move into quarantine is a rename)
        volume = tmp_path / "volume"
        assert mounts.tmpfs(volume, "4m")
        site = _site(fresh_db, volume, monkeypatch)
    else:
        site = _site(fresh_db, tmp_path, monkeypatch)
    bad = _bad_files(site.landing)
    quarantine = site.home / "quarantine"
    (quarantine / "politie").mkdir(parents=True, mode=0o700)  # politie was refused before; SDD never
    if fault == "full":
        filler = fill(quarantine)
    else:  # a read-only bind mount of the folder itself: still the landing folder's file system
        assert mounts.bind_read_only(quarantine)

    run = loader.run(site.env(), ["politie", "sdd"])
    outcomes = {o["file_name"]: o for o in run.outcomes}
    assert len(outcomes) == len(bad), outcomes
    for path, _ in bad:
        message = outcomes[path.name]["message"]
        assert outcomes[path.name]["status"] == "failed", outcomes
        assert "blijft in de landingsmap" in message and OPERATOR in message, message
        assert path.exists()
    assert not {ledger.Status.QUARANTINED, ledger.Status.LOADING} & set(statuses(site.tgt)), statuses(site.tgt)
    assert not [p for p in quarantine.rglob("*") if p.is_file() and p.name != "filler"]

    if fault == "full":
        filler.unlink()
    else:
        mounts.umount(quarantine)
    again = loader.run(site.env(), ["politie", "sdd"])
    assert [o["status"] for o in again.outcomes] == ["quarantined"] * len(bad), again.log[-3000:]
    rows = query(
        site.tgt, "SELECT file_name, status, reason, stored_as FROM mdw_meta.load_ledger WHERE status <> 'aborted'"
    )
    assert sorted(r[:2] for r in rows) == sorted((p.name, ledger.Status.QUARANTINED) for p, _ in bad)
    for path, words in bad:
        (_, _, reason, stored_as) = next(r for r in rows if r[0] == path.name)
        assert words in reason
        assert Path(stored_as).read_bytes() and Path(stored_as + ".reden.txt").read_text().strip() == reason.strip()
    assert set(statuses(site.tgt)) <= {ledger.Status.QUARANTINED, ledger.Status.ABORTED}
    assert [p for p in site.landing.rglob("*") if p.is_file()] == []


# --------------------------------------------------------------------------- a file growing while it is picked up

WRITER = r"""
import os, sys, time
source, target, go, stalled = sys.argv[1:5]
split, chunk, pause = int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7])
data = open(source, "rb").read()
with open(target, "wb") as out:
    def copy(start, end):
        pos = start
        while pos < end:
            out.write(data[pos:min(pos + chunk, end)])
            out.flush()
            pos = min(pos + chunk, end)
            time.sleep(pause)
    copy(0, split)                      # an upload: chunk after chunk
    open(stalled, "w").close()          # the upload stalls (longer than the settle period) ...
    while not os.path.exists(go):
        time.sleep(0.002)
    copy(split, len(data))              # ... and resumes while the loader reads the file
"""


@dataclass
class Growing:
    file: File
    writer: subprocess.Popen
    go: Path
    stalled: Path
    final: bytes


def _grow(tmp_path: Path, file: File, content: bytes, chunk: int) -> Growing:
    """Start a writer process that uploads ``content`` into ``file.path`` (the first 60 % chunk by chunk,
    every chunk ending in the middle of a line), stalls, and uploads the rest once told to."""
    chunk += 1 if content[chunk - 1 : chunk] == b"\n" else 0
    split = content.index(b"\n", len(content) * 6 // 10) + 1  # complete lines until the stall
    source = tmp_path / f"{file.dataset}.source"
    source.write_bytes(content)
    go, stalled = tmp_path / f"{file.dataset}.go", tmp_path / f"{file.dataset}.stalled"
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            WRITER,
            str(source),
            str(file.path),
            str(go),
            str(stalled),
            str(split),
            str(chunk),
            "0.01",
        ]
    )
    return Growing(file, writer, go, stalled, content)


def test_growing_file_is_never_loaded_half(loader, site, tmp_path):
    settle = 1.0
    pol_text = misdrijven_text(2024, 1, 100_000)
    sdd_text = uitkeringen_text(2024, 1, 40_000)
    (site.landing / "politie").mkdir()
    (site.landing / "sdd").mkdir()
    pol = File("politie", "misdrijven", site.landing / "politie" / "POL_misdrijven_202401.csv", 100_000)
    sdd = File("sdd", "uitkeringen", site.landing / "sdd" / "SDD_uitkeringen_202401.csv", 40_000)
    loader.warm()  # a loader child must be able to start at once
    growing = [_grow(tmp_path, pol, pol_text, 32_771), _grow(tmp_path, sdd, sdd_text, 16_381)]
    try:
        # 1. while they are being written: too fresh, left for the next run
        while not (pol.path.exists() and sdd.path.exists()):
            time.sleep(0.005)
        early = loader.run(site.env(settle), ["politie", "sdd"])
        assert early.outcomes == [] and early.log.count("nog in ontvangst") == 2, early.log[-3000:]
        assert statuses(site.tgt) == []

        # 2. the uploads stall longer than the settle period; the loader picks the files up and the
        #    uploads resume while it reads them: nothing may be loaded (nor refused) from a file in flux
        for g in growing:
            while not g.stalled.exists():
                time.sleep(0.005)
        time.sleep(settle + 0.3)
        run = loader.start(site.env(settle), ["politie", "sdd"])
        for g in growing:
            wait_for_activity(site.tgt, run, "query ILIKE %s", (f"COPY loading.%{g.file.dataset}__d%",))
            g.go.touch()
        run.assert_clean()
        for g in growing:
            (outcome,) = outcome_of(run, g.file)
            assert outcome["status"] == "skipped" and "veranderde" in outcome["message"], outcome
        assert statuses(site.tgt) == [ledger.Status.ABORTED, ledger.Status.ABORTED]
        assert raw_count(site.tgt, pol) == raw_count(site.tgt, sdd) == 0
        assert work_tables(site.tgt) == [] and list(site.home.rglob("*.tmp")) == []
        assert not (site.home / "quarantine").exists() or not list((site.home / "quarantine").rglob("*"))

        # 3. the uploads complete; once settled, the next run loads the complete files, once
        for g in growing:
            assert g.writer.wait(60) == 0
            assert g.file.path.read_bytes() == g.final
        time.sleep(settle + 0.3)
        last = loader.run(site.env(settle), ["politie", "sdd"])
        assert [o["status"] for o in last.outcomes] == ["loaded", "loaded"], last.log[-3000:]
        final = [(pol, hashlib.sha256(pol_text).hexdigest()), (sdd, hashlib.sha256(sdd_text).hexdigest())]
        assert_exactly_once(site, *final, aborted=2)
    finally:
        for g in growing:
            g.go.touch()
            with contextlib.suppress(subprocess.TimeoutExpired):
                g.writer.wait(30)
            g.writer.kill()


# --------------------------------------------------------------------------- two runs at once


def test_two_runs_at_once_load_every_file_exactly_once(loader, site):
    files = []
    for month in (1, 2, 3):
        files.append(misdrijven(site.landing, 2024, month, 3_000))
        files.append(incidenten(site.landing, 2024, month, 2_000))
    files.append(uitkeringen(site.landing, 2024, 1, 2_000))
    files.append(uitkeringen(site.landing, 2024, 2, 2_000))
    for n, f in enumerate(files):  # arrival order: the months in order, the datasets interleaved
        os.utime(f.path, (time.time() - 100 + n, time.time() - 100 + n))
    shas = [(f, f.sha) for f in files]

    runs = [loader.start(site.env(), ["politie", "sdd"]) for _ in range(2)]
    for run in runs:
        run.assert_clean()
    for f in files:
        seen = [o for run in runs for o in outcome_of(run, f)]
        assert [o["status"] for o in seen if o["status"] != "skipped"] == ["loaded"], seen
        for o in seen:
            if o["status"] == "skipped":
                assert "al verwerkt door een gelijktijdige run" in o["message"] or "verdwenen" in o["message"], o
    # they did run at once: one of them waited for the other's lock and found the file gone
    assert any("al verwerkt door een gelijktijdige run" in o["message"] for run in runs for o in run.outcomes)
    assert_exactly_once(site, *shas, aborted=0)
