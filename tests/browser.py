"""The Airflow UI in a real browser: Debian's headless Chromium driven by Playwright (no browser
download: ``/usr/bin/chromium``). Screenshots go to ``$MDW_TEST_ARTEFACTS`` (default
``.artefacts/browser/``, not committed)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import quote

from monitor_dordt_west import config

CHROMIUM = "/usr/bin/chromium"
# as the machine's probe starts it: no sandbox as root, no background connections (closed network)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which("chromium") is not None


def artefacts() -> Path:
    folder = Path(os.environ.get("MDW_TEST_ARTEFACTS", config.PROJECT_DIR / ".artefacts")) / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def check_ui(base: str, password: str, dag_ids: list[str], tags: dict[str, list[str]], run_id: str) -> dict[str, str]:
    """Log in as admin and look as a data engineer would; returns what each screenshot shows."""
    from playwright.sync_api import sync_playwright

    shots: dict[str, str] = {}
    out = artefacts()
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"), args=ARGS
        )
        try:
            page = browser.new_page(timezone_id="Europe/Amsterdam", viewport={"width": 1400, "height": 900})
            page.set_default_timeout(30_000)
            page.goto(base + "/")
            page.fill("input[name=username]", "admin")
            page.fill("input[name=password]", password)
            page.click("button[type=submit]")
            page.wait_for_url(lambda u: "/auth" not in u)

            # 1. the DAG list: every DAG, unpaused, with its tags
            page.goto(base + "/dags")
            for dag_id in dag_ids:
                page.get_by_role("link", name=dag_id, exact=True).wait_for()
            switches = page.locator("input[type=checkbox][id^='switch:']")
            assert switches.count() == len(dag_ids), f"{switches.count()} pause switches for {len(dag_ids)} DAGs"
            assert all(switches.nth(i).is_checked() for i in range(switches.count())), "a DAG is paused"
            body = page.inner_text("body")
            for dag_id, dag_tags in tags.items():
                for tag in dag_tags:
                    assert tag in body, f"tag {tag} of {dag_id} not shown"
            page.screenshot(path=out / "1_dags.png", full_page=True)
            shots["1_dags.png"] = "the DAG list: six DAGs, each switch on (unpaused), tags beside each name"

            # 2. the ingest DAG's docs render (its markdown: the datasets table)
            page.goto(base + "/dags/ingest_politie")
            page.get_by_test_id("markdown-button").click()
            page.get_by_text("Loads every file waiting in").wait_for()
            page.get_by_role("cell", name="raw_politie.misdrijven").first.wait_for()
            page.screenshot(path=out / "2_ingest_politie_docs.png")
            shots["2_ingest_politie_docs.png"] = "ingest_politie's docs: the markdown with its files and raw tables"
            page.keyboard.press("Escape")

            # 3. the run's grid and task list: green
            page.goto(f"{base}/dags/ingest_politie/runs/{quote(run_id)}")
            page.get_by_test_id(f"grid-{run_id}-load_misdrijven").wait_for()
            page.get_by_test_id("table-cell-state").first.wait_for()
            states = {t.strip() for t in page.get_by_test_id("table-cell-state").all_inner_texts()}
            assert states <= {"Success", "Skipped"} and "Success" in states, states
            page.screenshot(path=out / "3_ingest_politie_run.png")
            shots["3_ingest_politie_run.png"] = "the run: grid and task instances, success (the empty check skipped)"

            # 4. a task's log shows its load message
            page.goto(f"{base}/dags/ingest_politie/runs/{quote(run_id)}/tasks/load_misdrijven")
            page.get_by_text("rijen geladen als levering").first.wait_for()
            page.screenshot(path=out / "4_load_misdrijven_log.png")
            shots["4_load_misdrijven_log.png"] = "load_misdrijven's log: one line per loaded file"
        finally:
            browser.close()
    return shots
