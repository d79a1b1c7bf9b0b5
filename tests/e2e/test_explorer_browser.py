"""The posting explorer in a real browser: Debian's chromium, driven by Selenium through
chromedriver, against the `api` service running as a process over PostgreSQL.

The seeds go in as the pipeline would store them (ingest's reader, the parser, the tagger and
the store's writer: the pure code and the real repository), then the test does what a person
does: searches for a skill, opens the posting, and checks its highlighted spans. A screenshot
is saved to tests/artefacts/explorer.png.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from jobstream.contracts import RawPosting
from jobstream.settings import KafkaSettings, PostgresSettings
from jobstream_ingest.intake import Limits, read_postings
from jobstream_parser.parse import parse
from jobstream_stack.layout import StackLayout
from jobstream_store.adapters.migrate import migrate_as_owner
from jobstream_store.adapters.repository import write_postings
from jobstream_store.postings import StoredPosting
from jobstream_tagger.tag import tag
from jobstream_tagger.taxonomy import load_taxonomy
from tests.conftest import REPO_ROOT, SEEDS
from tests.e2e.harness import Services

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

ARTEFACTS = REPO_ROOT / "tests" / "artefacts"
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
SEED = "003_abc877bc7831effb.txt"


def seed_postings() -> list[StoredPosting]:
    taxonomy = load_taxonomy()
    stored = []
    for n, path in enumerate(sorted(SEEDS.glob("*.txt"))):
        (raw,) = read_postings(path.name, path.read_bytes(), "inbox", Limits())
        assert isinstance(raw, RawPosting)
        stored.append(StoredPosting(tag(parse(raw), taxonomy), "seeds", 0, n))
    return stored


@pytest.fixture
async def seeded(database: PostgresSettings) -> tuple[PostgresSettings, list[StoredPosting]]:
    await migrate_as_owner(database)
    postings = seed_postings()
    conn = await asyncpg.connect(**database.connect_kwargs())
    try:
        await write_postings(conn, postings)
        await conn.fetchval("SELECT refresh_read_views(true)")
    finally:
        await conn.close()
    return database, postings


@pytest.fixture
def api(
    seeded: tuple[PostgresSettings, list[StoredPosting]],
    kafka_settings: KafkaSettings,
    tmp_path: Path,
) -> Iterator[Services]:
    database, _ = seeded
    services = Services(StackLayout(tmp_path / "state"), kafka_settings, database)
    with services.running(["api"]):
        yield services


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        pytest.fail("chromium / chromedriver missing: `jobstream stack install-test-tools`")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-extensions", f"--user-data-dir={tmp_path / 'chromium'}",
        "--window-size=1400,1000",
    ):  # fmt: skip
        options.add_argument(argument)
    # The Debian driver, never one Selenium Manager would download.
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def test_search_a_skill_open_the_posting_and_see_its_spans(
    api: Services, seeded: tuple[PostgresSettings, list[StoredPosting]], browser: object
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.wait import WebDriverWait

    driver: WebDriver = browser  # type: ignore[assignment]
    _, postings = seeded
    seed = next(p.posting for p in postings if p.posting.source.name == SEED)
    kafka = next(skill for skill in seed.skills if skill.skill_id == "kafka")
    with_kafka = [
        p.posting for p in postings if any(s.skill_id == "kafka" for s in p.posting.skills)
    ]
    wait = WebDriverWait(driver, 30)

    driver.get(api.url("api", "/"))
    assert "posting explorer" in driver.title
    # All five seeds are listed before any search.
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#result-list li")) == 5)

    skill_box = driver.find_element(By.NAME, "skill")
    skill_box.send_keys("kafka")
    driver.find_element(By.CSS_SELECTOR, "#search button[type=submit]").click()
    wait.until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "#result-list li")) == len(with_kafka)
    )
    items = driver.find_elements(By.CSS_SELECTOR, "#result-list li")
    assert {item.get_attribute("data-id") for item in items} == {p.posting_id for p in with_kafka}
    assert "skill=kafka" in driver.current_url  # the search is in the address, to share

    item = next(i for i in items if i.get_attribute("data-id") == seed.posting_id)
    assert seed.title and seed.title in item.text
    item.click()
    view = wait.until(ready.visibility_of_element_located((By.ID, "posting")))
    wait.until(lambda d: d.find_element(By.ID, "posting-title").text == seed.title)

    # Every mention of every skill is highlighted (a span crossing a field's evidence comes in
    # pieces), as required or preferred as the tagger said: kafka's first of all.
    assert kafka.spans
    for skill in sorted(seed.skills, key=lambda s: s.skill_id != "kafka"):
        marks = view.find_elements(
            By.CSS_SELECTOR, f'#posting-text mark[data-skill~="{skill.skill_id}"]'
        )
        shown = " ".join("".join(mark.text for mark in marks).split())
        stated = " ".join("".join(seed.text[s.start : s.end] for s in skill.spans).split())
        assert shown == stated, skill.skill_id
        kind = "required" if skill.required else "preferred"
        assert all(kind in (mark.get_attribute("class") or "").split() for mark in marks), (
            skill.skill_id
        )
    # The title's evidence is highlighted where the parser read it.
    title = view.find_elements(By.CSS_SELECTOR, '#posting-text mark.evidence[data-field~="title"]')
    assert "".join(mark.text for mark in title) == seed.title
    fields = view.find_element(By.ID, "posting-fields").text
    assert "seniority" in fields and (seed.seniority or "") in fields

    # A deep link to the posting opens it again.
    driver.refresh()
    wait.until(lambda d: d.find_element(By.ID, "posting-title").text == seed.title)

    # Clicking a skill scrolls its first mention into view (and outlines it), for the picture.
    driver.find_element(By.CSS_SELECTOR, '#posting-skills li[data-skill="kafka"]').click()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#posting-text mark.flash"))
    ARTEFACTS.mkdir(exist_ok=True)
    assert driver.save_screenshot(str(ARTEFACTS / "explorer.png"))

    # A bad search is explained, not a blank page.
    driver.get(api.url("api", "/#skill=Not%20A%20Skill"))
    wait.until(lambda d: "skill" in d.find_element(By.ID, "message").text)
    assert "error" in (driver.find_element(By.ID, "message").get_attribute("class") or "")
