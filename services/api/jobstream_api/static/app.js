// The posting explorer: a search form over GET /postings, and a posting view over
// GET /postings/{id} with each skill's spans and each field's evidence highlighted.
// Plain JavaScript, no build step. Posting text is only ever inserted as text nodes.
"use strict";

const form = document.getElementById("search");
const list = document.getElementById("result-list");
const more = document.getElementById("more");
const message = document.getElementById("message");
const FILTERS = ["q", "skill", "required", "company", "country", "work_mode", "seniority",
  "employment_type", "salary_min", "since", "until", "sort"];
// Evidence longer than this (the language is read from the whole text) is not highlighted.
const LONG_EVIDENCE = 400;
let nextCursor = null;
let lastParams = null;

function token() { return sessionStorage.getItem("jobstream-token"); }

async function api(path) {
  const headers = token() ? { Authorization: `Bearer ${token()}` } : {};
  const response = await fetch(path, { headers });
  const body = await response.json().catch(() => ({}));
  if (response.status === 401) {
    document.getElementById("token").hidden = false;
  }
  if (!response.ok) {
    throw new Error(body.message || `${response.status} ${response.statusText}`);
  }
  return body;
}

function say(text, isError = false) {
  message.textContent = text;
  message.classList.toggle("error", isError);
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "class") node.className = value; else node.setAttribute(name, value);
  }
  for (const child of children) {
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// The form as query parameters: skills are comma-separated in the form, repeated in the URL.
function formParams() {
  const params = new URLSearchParams();
  const data = new FormData(form);
  for (const name of FILTERS) {
    const value = (data.get(name) || "").toString().trim();
    if (!value || (name === "sort" && value === "recent")) continue;
    if (name === "skill") {
      value.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean)
        .forEach((s) => params.append("skill", s));
    } else {
      params.append(name, value);
    }
  }
  return params;
}

function fillForm(params) {
  for (const name of FILTERS) {
    const field = form.elements[name];
    if (!field) continue;
    const values = params.getAll(name);
    if (field.type === "checkbox") field.checked = values.includes("true");
    else field.value = name === "skill" ? values.join(", ") : (values[0] || field.value);
  }
}

function pay(p) {
  if (!p) return "";
  const amount = (n) => (n == null ? "?" : Number(n).toLocaleString("en"));
  const range = p.min === p.max ? amount(p.min) : `${amount(p.min)}–${amount(p.max)}`;
  return `${p.currency || ""} ${range}${p.period ? " / " + p.period : ""}`.trim();
}

function places(locations) {
  return locations.map((l) => l.text).join("; ");
}

function renderItem(item) {
  const badges = el("div", { class: "badges" },
    ...item.skills.map((s) => el("span", {
      class: `badge ${s.required ? "required" : "preferred"}`, "data-skill": s.id,
      title: s.required ? "required" : "preferred" }, s.name)));
  const meta = [item.company, places(item.locations), pay(item.pay),
    item.work_mode !== "unknown" ? item.work_mode : "", item.first_seen.slice(0, 10)]
    .filter(Boolean).join(" · ");
  const li = el("li", { "data-id": item.id, tabindex: "0" },
    el("div", { class: "title" }, item.title || "(untitled posting)"),
    el("div", { class: "meta" }, meta), badges);
  li.addEventListener("click", () => openPosting(item.id));
  li.addEventListener("keydown", (e) => { if (e.key === "Enter") openPosting(item.id); });
  return li;
}

async function search(params, append = false) {
  const query = new URLSearchParams(params);
  if (append && nextCursor) query.set("cursor", nextCursor);
  say("Searching…");
  try {
    const page = await api(`/postings?${query}`);
    if (!append) list.replaceChildren();
    page.items.forEach((item) => list.append(renderItem(item)));
    nextCursor = page.next_cursor;
    more.hidden = !nextCursor;
    const shown = list.children.length;
    say(shown ? `${shown} posting${shown === 1 ? "" : "s"}${nextCursor ? " (more below)" : ""}`
      : "No posting matches.");
  } catch (error) {
    say(error.message, true);
  }
}

// Text with spans highlighted: cut at every span boundary, and wrap each piece that some
// spans cover in one <mark> (a skill wins over field evidence; required over preferred).
function highlighted(text, marks) {
  const cuts = new Set([0, text.length]);
  marks.forEach((m) => { cuts.add(m.start); cuts.add(m.end); });
  const points = [...cuts].filter((n) => n >= 0 && n <= text.length).sort((a, b) => a - b);
  const fragment = document.createDocumentFragment();
  for (let i = 0; i + 1 < points.length; i++) {
    const [start, end] = [points[i], points[i + 1]];
    const piece = text.slice(start, end);
    const covering = marks.filter((m) => m.start <= start && m.end >= end);
    if (!covering.length) { fragment.append(piece); continue; }
    const skills = covering.filter((m) => m.skill);
    const mark = el("mark", {}, piece);
    if (skills.length) {
      const required = skills.some((m) => m.required);
      mark.className = `skill ${required ? "required" : "preferred"}`;
      mark.dataset.skill = skills.map((m) => m.skill).join(" ");
      mark.title = skills.map((m) => `${m.name} (${m.required ? "required" : "preferred"})`).join(", ");
    } else {
      mark.className = "evidence";
      mark.dataset.field = covering.map((m) => m.field).join(" ");
      mark.title = `evidence of ${mark.dataset.field}`;
    }
    fragment.append(mark);
  }
  return fragment;
}

async function openPosting(id) {
  const params = new URLSearchParams(location.hash.slice(1));
  params.set("posting", id);
  history.replaceState(null, "", `#${params}`);
  list.querySelectorAll("li").forEach((li) => li.classList.toggle("selected", li.dataset.id === id));
  let posting;
  try {
    posting = await api(`/postings/${encodeURIComponent(id)}`);
  } catch (error) {
    say(error.message, true);
    return;
  }
  const view = document.getElementById("posting");
  document.getElementById("posting-title").textContent = posting.title || "(untitled posting)";
  document.getElementById("posting-meta").textContent = [posting.company,
    places(posting.locations), pay(posting.pay), `received ${posting.received_at.slice(0, 10)}`,
    `parser ${posting.parser_version}`, `taxonomy ${posting.taxonomy_version}`]
    .filter(Boolean).join(" · ");
  const marks = [];
  const rows = Object.entries(posting.fields).filter(([, f]) => f.value !== null).map(([name, f]) => {
    let where = "";
    if (f.evidence && f.evidence.end - f.evidence.start > LONG_EVIDENCE) {
      where = "whole text";  // e.g. the language, read from all of it: not highlighted
    } else if (f.evidence) {
      marks.push({ start: f.evidence.start, end: f.evidence.end, field: name });
      where = el("button", { type: "button", "data-evidence": name }, "show");
      where.addEventListener("click", () => flash(`mark[data-field~="${name}"]`));
    }
    return el("tr", {}, el("td", {}, name.replaceAll("_", " ")), el("td", {}, String(f.value)),
      el("td", {}, where));
  });
  document.querySelector("#posting-fields tbody").replaceChildren(...rows);
  const skills = posting.skills.map((s) => {
    s.spans.forEach((span) => marks.push({ ...span, skill: s.id, name: s.name, required: s.required }));
    const item = el("li", { "data-skill": s.id },
      el("mark", { class: `skill ${s.required ? "required" : "preferred"}` }, s.name),
      ` ${s.required ? "required" : "preferred"}, ${s.mentions}×`);
    item.addEventListener("click", () => flash(`mark[data-skill~="${s.id}"]`));
    return item;
  });
  document.getElementById("posting-skills").replaceChildren(...skills);
  document.getElementById("posting-text").replaceChildren(highlighted(posting.text, marks));
  view.hidden = false;
}

function flash(selector) {
  const target = document.querySelector(`#posting-text ${selector}`);
  if (!target) return;
  target.scrollIntoView({ block: "center" });
  target.classList.add("flash");
  setTimeout(() => target.classList.remove("flash"), 1500);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  lastParams = formParams();
  history.replaceState(null, "", `#${lastParams}`);
  search(lastParams);
});
more.addEventListener("click", () => search(lastParams, true));
document.getElementById("token-save").addEventListener("click", () => {
  sessionStorage.setItem("jobstream-token", document.querySelector("#token input").value);
  document.getElementById("token").hidden = true;
  form.requestSubmit();
});

async function start() {
  const params = new URLSearchParams(location.hash.slice(1));
  const posting = params.get("posting");
  params.delete("posting");
  fillForm(params);
  lastParams = formParams();
  await search(lastParams);
  if (posting) await openPosting(posting);
  api("/skills?limit=200").then((skills) => {
    document.getElementById("skill-ids").replaceChildren(
      ...skills.items.map((s) => el("option", { value: s.id }, s.name)));
  }).catch(() => {});
}

window.addEventListener("hashchange", start);  // a link or an edited address
start();
