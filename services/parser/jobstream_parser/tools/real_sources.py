"""Where the real postings of the labelled set come from, and how their texts are rebuilt.

The labelled set (`tests/data/real_postings/`, docs/parser-quality.md) holds postings written by
others. A text may sit in the repository only where its licence allows; for the other sources
the repository keeps the labels, the origin of each posting (a file of a public Git repository
at a fixed commit, or the local copy of the City of Los Angeles bulletins) and the SHA-256 of
its text, and `rebuild_text` makes the text again from that origin, the same to the byte.

Each source has one recipe: the file it reads, the record it picks, and how a record becomes
the text a person would have pasted (a forum comment's HTML as plain text; an API record laid
out in the order of the job board's page). Recipes are fixed: changing one changes the texts,
which the SHA-256 in the labels then refuses.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field

from jobstream.errors import JobstreamError

GITHUB_RAW: Final = "https://raw.githubusercontent.com"
FETCH_TIMEOUT_S: Final = 60
MAX_SOURCE_BYTES: Final = 64 * 1024 * 1024


class Origin(BaseModel):
    """Where one posting's text comes from: a file (in a Git repository at a commit, or in the
    local data folder when `repo` is empty) and the record in it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    repo: str | None = Field(
        None, pattern=r"^[A-Za-z0-9][\w.-]{0,99}/[A-Za-z0-9][\w.-]{0,99}$", description="owner/name"
    )
    commit: str | None = Field(None, pattern=r"^[0-9a-f]{40}$")
    path: str = Field(min_length=1, max_length=500)
    key: str | None = Field(None, max_length=200, description="the record in the file")
    url: str | None = Field(None, max_length=2_000, description="the posting's public page")


@dataclass(frozen=True)
class SourceInfo:
    """One kind of source: what it is, its licence, and whether texts may be committed."""

    name: str
    kind: str
    languages: tuple[str, ...]
    licence: str
    texts_in_repo: bool
    description: str


SOURCES: Final[dict[str, SourceInfo]] = {
    info.name: info
    for info in (
        SourceInfo(
            "la-bulletins", "public-sector bulletin", ("en",),
            "public records of the City of Los Angeles, no open licence: labels only",
            False, "683 job bulletins of the City of Los Angeles (../shared/data/la-bulletins)",
        ),
        SourceInfo(
            "hn-who-is-hiring", "forum post", ("en",),
            "Hacker News comments belong to their authors, no open licence: labels only",
            False, "top-level comments of Ask HN: Who is hiring? threads (HTML as text)",
        ),
        SourceInfo(
            "yc-job-board", "job-board page", ("en",),
            "Y Combinator's Work at a Startup pages, no open licence: labels only",
            False, "job pages linked from Hacker News, as flattened page text with navigation",
        ),
        SourceInfo(
            "skillspan-train", "skills corpus (reconstructed posting)", ("en",),
            "MIT (SkillSpan, Zhang et al. 2022): texts in the repository",
            True, "postings rebuilt from the sentences of SkillSpan's TRAINING split only",
        ),
        SourceInfo(
            "tts-jobs", "government careers page", ("en",),
            "CC0 1.0 / US public domain (18F/join.tts.gsa.gov): texts in the repository",
            True, "archived job pages of the US Technology Transformation Services, as text",
        ),
        SourceInfo(
            "swiss-job-ads", "job ad corpus", ("de",),
            "no licence stated (evabuehlmann/ICTterm-recognition): labels only",
            False, "Swiss German job ads (x28, Swiss Job Market Monitor) of a thesis corpus",
        ),
        SourceInfo(
            "france-travail", "job-board API record", ("fr",),
            "France Travail offers, no licence stated in TaniaGA01/Jobs-list: labels only",
            False, "France Travail (Pôle emploi) API offers laid out as the offer page shows them",
        ),
        SourceInfo(
            "empleate", "public job portal record", ("es", "ca"),
            "CC BY-NC-SA 4.0 (amilan/spanish_job_market; non-commercial): labels only",
            False, "offers of Spain's empleate.gob.es portal (2018), title, place and description",
        ),
        SourceInfo(
            "encontreseuemprego", "community job board", ("pt",),
            "no licence stated (tiago-carneiro/encontreseuemprego): labels only",
            False, "Brazilian postings of a volunteer job board (title, employer, place, text)",
        ),
    )
}  # fmt: skip


class RebuildError(JobstreamError):
    """A text could not be rebuilt (origin unreachable, record missing, content changed)."""


@dataclass
class RebuildContext:
    """Where rebuilding looks: local Git mirrors first, then GitHub over the network."""

    data_dir: Path  # the project's ../shared/data (LA bulletins, SkillSpan's training split)
    mirror_dirs: tuple[Path, ...] = ()  # folders of bare clones named owner+name/repo
    network: bool = True
    _files: dict[tuple[str | None, str | None, str], bytes] = field(default_factory=dict)

    def read(self, origin: Origin) -> bytes:
        key = (origin.repo, origin.commit, origin.path)
        if key not in self._files:
            self._files[key] = self._read(origin)
        return self._files[key]

    def _read(self, origin: Origin) -> bytes:
        if origin.repo is None:
            path = (self.data_dir / origin.path).resolve()
            if not path.is_relative_to(self.data_dir.resolve()):
                raise RebuildError(f"{origin.path}: outside the data folder")
            try:
                return path.read_bytes()
            except OSError as error:
                raise RebuildError(f"{path}: {error.strerror}") from error
        if origin.commit is None:
            raise RebuildError(f"{origin.repo}: no commit")
        for mirror in self.mirror_dirs:
            git_dir = mirror / origin.repo.replace("/", "+") / "repo"
            if git_dir.is_dir():
                return _git_show(git_dir, origin.commit, origin.path)
        if not self.network:
            raise RebuildError(f"{origin.repo}: no local mirror and the network is off")
        return _download(origin.repo, origin.commit, origin.path)


def _git_show(git_dir: Path, commit: str, path: str) -> bytes:
    done = subprocess.run(
        ["git", "--git-dir", str(git_dir), "show", f"{commit}:{path}"],
        capture_output=True,
        timeout=FETCH_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        raise RebuildError(f"{git_dir}: {commit[:10]}:{path}: {done.stderr.decode()[:200]}")
    return done.stdout


def _download(repo: str, commit: str, path: str) -> bytes:
    url = f"{GITHUB_RAW}/{repo}/{commit}/{urllib.parse.quote(path)}"
    try:
        with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_S) as response:  # noqa: S310
            data: bytes = response.read(MAX_SOURCE_BYTES + 1)
    except OSError as error:
        raise RebuildError(f"{url}: {error}") from error
    if len(data) > MAX_SOURCE_BYTES:
        raise RebuildError(f"{url}: over {MAX_SOURCE_BYTES:,} bytes")
    return data


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def rebuild_text(source: str, origin: Origin, context: RebuildContext) -> str:
    """The text of one posting, made again from its origin by its source's recipe."""
    recipe = _RECIPES.get(source)
    if recipe is None:
        raise RebuildError(f"no recipe for source {source!r}")
    return recipe(origin, context.read(origin))


# --- recipes -------------------------------------------------------------------------------


def _la_bulletin(origin: Origin, data: bytes) -> str:
    # As `jobstream parse` reads a file: UTF-8, else Windows-1252 (the bulletins' few odd bytes).
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _hn_comment(origin: Origin, data: bytes) -> str:
    return hn_html_to_text(_hn_record(origin, data, "who_is_hiring"))


def _yc_page(origin: Origin, data: bytes) -> str:
    # The story's title, then the linked page as flattened text (or the story's own HTML).
    return hn_html_to_text(_hn_record(origin, data, "direct"))


def _hn_record(origin: Origin, data: bytes, kind: str) -> str:
    for job in json.loads(data)["jobs"]:
        if str(job["id"]) == origin.key and job["source"] == kind:
            return str(job["text"])
    raise RebuildError(f"{origin.path}: no {kind} item {origin.key}")


_HN_PARAGRAPH: Final = re.compile(r"<p>", re.IGNORECASE)
_TAG: Final = re.compile(r"<[^>]{0,2000}>")


def hn_html_to_text(comment: str) -> str:
    """A Hacker News comment as a reader copies it: paragraphs on lines of their own, a link
    as its visible text, entities decoded."""
    text = _HN_PARAGRAPH.sub("\n\n", comment)
    text = re.sub(r"</?(?:pre|code)>", "", text)
    return html.unescape(_TAG.sub("", text)).strip()


def _skillspan(origin: Origin, data: bytes) -> str:
    """The sentences of one training-split posting (`key` = its idx), one a line, with the
    tokens joined as written text (no space before closing punctuation)."""
    lines = []
    for raw in data.decode("utf-8").splitlines():
        if not raw.strip():
            continue
        sentence = json.loads(raw)
        if str(sentence["idx"]) == origin.key:
            lines.append(detokenize(sentence["tokens"]))
    if not lines:
        raise RebuildError(f"{origin.path}: no posting with idx {origin.key}")
    return "\n".join(lines)


_SPACE_BEFORE: Final = re.compile(r" ([,.;:!?%)\]])")
_SPACE_AFTER: Final = re.compile(r"([(\[]) ")


def detokenize(tokens: list[str]) -> str:
    text = " ".join(tokens)
    return _SPACE_AFTER.sub(r"\1", _SPACE_BEFORE.sub(r"\1", text))


def _tts_page(origin: Origin, data: bytes) -> str:
    """An archived job page as text: the HTML rendered by inscriptis (the converter ingest
    uses), each line stripped of its layout indentation, runs of blank lines made one."""
    from inscriptis import get_text

    rendered = get_text(data.decode("utf-8"))
    lines = [line.strip() for line in rendered.splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _swiss_ad(origin: Origin, data: bytes) -> str:
    for raw in data.decode("utf-8").splitlines():
        if raw.strip():
            record = json.loads(raw)
            if record["id"] == origin.key:
                return str(record["text"])
    raise RebuildError(f"{origin.path}: no ad {origin.key}")


def _france_travail(origin: Origin, data: bytes) -> str:
    """An offer in the order and words of its page on candidat.francetravail.fr."""
    for offer in js_array(data.decode("utf-8")):
        if offer.get("id") == origin.key:
            return _render_france_travail(offer)
    raise RebuildError(f"{origin.path}: no offer {origin.key}")


def _render_france_travail(offer: dict[str, Any]) -> str:
    parts = [offer["intitule"], offer.get("lieuTravail", {}).get("libelle", "")]
    created = str(offer.get("dateCreation", ""))[:10]
    if created:
        year, month, day = created.split("-")
        parts.append(f"Publié le {day}/{month}/{year}")
    parts += ["", offer.get("description", "").strip(), ""]
    contract = offer.get("typeContratLibelle")
    if contract:
        parts.append(f"Type de contrat : {contract}")
    hours = offer.get("dureeTravailLibelle")
    if hours:
        converted = offer.get("dureeTravailLibelleConverti")
        parts.append(f"Durée du travail : {hours}" + (f" ({converted})" if converted else ""))
    pay = offer.get("salaire", {})
    if pay.get("libelle"):
        parts.append(f"Salaire : {pay['libelle']}")
    for extra in ("complement1", "complement2"):
        if pay.get(extra):
            parts.append(f"Salaire : {pay[extra]}")
    if offer.get("experienceLibelle"):
        parts.append(f"Expérience : {offer['experienceLibelle']}")
    employer = offer.get("entreprise", {}).get("nom")
    if employer:
        parts.append(f"Entreprise : {employer}")
    return "\n".join(part for part in parts if part is not None).strip()


def _empleate(origin: Origin, data: bytes) -> str:
    """An empleate.gob.es offer: title, employer, place, description, working day and hours
    (the fields the portal showed as text; its coded fields are left out)."""
    for row in csv.DictReader(io.StringIO(data.decode("utf-8"))):
        if row["id"] == origin.key:
            return _render_empleate(row)
    raise RebuildError(f"{origin.path}: no offer {origin.key}")


def _render_empleate(row: dict[str, str]) -> str:
    def given(name: str) -> str | None:
        value = (row.get(name) or "").strip()
        return None if value in ("", "NA") else value

    parts = [given("titulo") or ""]
    if given("creador"):
        parts.append(f"Empresa: {given('creador')}")
    place = given("ciudadF")
    province = given("provinciaF")
    if place and province:
        parts.append(f"Localidad: {place} ({province})")
    elif place or province:
        parts.append(f"Localidad: {place or province}")
    parts += ["", given("contenido") or "", ""]
    if given("jornadaF"):
        parts.append(f"Jornada: {given('jornadaF')}")
    if given("horario"):
        parts.append(f"Horario: {given('horario')}")
    return "\n".join(parts).strip()


def _encontre(origin: Origin, data: bytes) -> str:
    """A posting of the board's list (`key` = its position from 0 at that commit)."""
    start = data.index(b"$.vagas")
    postings = js_array(data[start:].decode("utf-8"))
    try:
        posting = postings[int(origin.key or "")]
    except (ValueError, IndexError) as error:
        raise RebuildError(f"{origin.path}: no posting {origin.key}") from error
    named = (posting.get("cidade", "").strip(), posting.get("pais", "").strip())
    place = ", ".join(name for name in named if name)
    head = " · ".join(part for part in (place, posting.get("formato", "").strip()) if part)
    parts = [
        posting["titulo"].strip(),
        posting.get("empresa", "").strip(),
        head,
        "",
        posting["descricao"].strip(),
    ]
    return "\n".join(parts).strip()


_RECIPES: Final[dict[str, Callable[[Origin, bytes], str]]] = {
    "la-bulletins": _la_bulletin,
    "hn-who-is-hiring": _hn_comment,
    "yc-job-board": _yc_page,
    "skillspan-train": _skillspan,
    "tts-jobs": _tts_page,
    "swiss-job-ads": _swiss_ad,
    "france-travail": _france_travail,
    "empleate": _empleate,
    "encontreseuemprego": _encontre,
}


# --- JavaScript literals -------------------------------------------------------------------

_IDENTIFIER: Final = re.compile(r"[A-Za-z_$][\w$]*")


def js_array(source: str) -> list[dict[str, Any]]:
    """The first array literal of a JavaScript/TypeScript file (`export const x = [...]`),
    read as JSON: bare keys quoted, single-quoted strings made double, comments and trailing
    commas dropped. Enough for data files; not a JavaScript parser."""
    start = source.index("[")
    out: list[str] = []
    depth = 0
    i = start
    while i < len(source):
        char = source[i]
        if char in "\"'":
            end, literal = _string(source, i)
            out.append(json.dumps(literal, ensure_ascii=False))
            i = end
            continue
        if source.startswith("//", i):
            i = source.find("\n", i)
            i = len(source) if i < 0 else i
            continue
        if source.startswith("/*", i):
            i = source.index("*/", i) + 2
            continue
        match = _IDENTIFIER.match(source, i)
        if match:
            word = match.group()
            after = source[match.end() :].lstrip()
            if after.startswith(":"):
                out.append(json.dumps(word))
            else:
                out.append(word)
            i = match.end()
            continue
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            while out and out[-1].strip() == "":
                out.pop()
            if out and out[-1] == ",":
                out.pop()
        out.append(char)
        i += 1
        if depth == 0:
            break
    value = json.loads("".join(out))
    if not isinstance(value, list):
        raise RebuildError("not an array")
    return value


def _string(source: str, start: int) -> tuple[int, str]:
    quote = source[start]
    i = start + 1
    chars: list[str] = []
    while i < len(source):
        char = source[i]
        if char == "\\":
            chars.append(source[i : i + 2])
            i += 2
            continue
        if char == quote:
            body = "".join(chars).replace("\\'", "'")
            if quote == "'":
                body = body.replace('"', '\\"')
            return i + 1, json.loads(f'"{body}"', strict=False)
        chars.append(char)
        i += 1
    raise RebuildError("unterminated string")
