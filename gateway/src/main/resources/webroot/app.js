// NBCE chat page: documents become context windows, one WebSocket streams the answer, and every
// token carries the window it came from, so the page can colour it and point at its document.
"use strict";

const PALETTE = ["#3b5bdb", "#d6336c", "#0c8599", "#e8590c", "#7048e8", "#2b8a3e", "#c2255c", "#1971c2", "#ae3ec9", "#b08900"];
const EXAMPLE_DOCS = [
  "Bruno Kim lives in Oslo. The favorite color of Ana Berg is green. Mira Kaur works as an architect.",
  "The secret code of Adrian Fischer is 4821. Omar Diaz works as a pilot. Theo Park has a pet rabbit.",
];
const EXAMPLE_QUESTION = "What is the secret code of Adrian Fischer?";
// "Answer as JSON" starts from this schema: one of the example documents' people and a four-digit code.
const EXAMPLE_SCHEMA = {
  type: "object",
  properties: {
    person: { enum: ["Adrian Fischer", "Omar Diaz", "Theo Park"] },
    code: { type: "integer", minimum: 0, maximum: 9999 },
  },
  required: ["person", "code"],
  additionalProperties: false,
};
const LONG_DOC_CHARS = 600;            // ≈ 150 tokens: past this the server splits a document
const STOP_GRACE_MS = 10_000;          // give up waiting for the server's cancelled reply after this
const MAX_EXCHANGES = 3;               // earlier question/answer pairs sent with a follow-up (rows stay short)
const FINISH_REASONS = {
  eos: "the model ended its answer",
  length: "max new tokens reached",
  stop: "a stop string matched",
  cancelled: "stopped before the end",
};

const $ = (id) => document.getElementById(id);
const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Ten hand-picked colours, then golden-angle hues so any number of windows stays distinguishable. */
function colorOf(w) {
  if (w < 0) return "#868e96";
  if (w < PALETTE.length) return PALETTE[w];
  return `hsl(${Math.round((w * 137.508) % 360)} 62% 42%)`;
}

// ---------------------------------------------------------------- documents

function docs() {
  return [...$("doc-list").querySelectorAll(".doc")];
}

function addDoc(text = "", source = "") {
  const doc = $("doc-template").content.firstElementChild.cloneNode(true);
  const textarea = doc.querySelector("textarea");
  textarea.value = text;
  if (source) doc.dataset.source = source;
  textarea.addEventListener("input", () => { fitHeight(textarea); updateDocMeta(doc); showPredictedWindows(); });
  doc.querySelector(".remove").addEventListener("click", () => removeDoc(doc));
  $("doc-list").appendChild(doc);
  fitHeight(textarea);
  renumber();
  return doc;
}

/** Grows a document box with its text, up to a limit; past it the box scrolls (and can be resized). */
function fitHeight(textarea) {
  textarea.style.height = "auto";
  textarea.style.height = `${Math.min(textarea.scrollHeight + 2, 240)}px`;
}

function removeDoc(doc) {
  const list = docs();
  const next = list[list.indexOf(doc) + 1] || list[list.indexOf(doc) - 1];
  doc.remove();
  renumber();
  (next ? next.querySelector("textarea") : $("add-doc")).focus();
}

function renumber() {
  docs().forEach((doc, i) => {
    doc.dataset.index = String(i);
    const name = `Document ${i + 1}`;
    doc.querySelector(".name").textContent = doc.dataset.source ? `${name} · ${doc.dataset.source}` : name;
    doc.querySelector("textarea").setAttribute("aria-label", `${name} text`);
    doc.querySelector(".remove").setAttribute("aria-label", `Remove ${name}`);
    updateDocMeta(doc);
  });
  const count = docs().length;
  $("doc-count").textContent = count ? `(${count})` : "";
  showPredictedWindows();
}

function updateDocMeta(doc) {
  const length = doc.querySelector("textarea").value.trim().length;
  const chars = doc.querySelector(".chars");
  doc.classList.toggle("long", length > LONG_DOC_CHARS);
  doc.classList.toggle("empty", length === 0);
  chars.textContent = length === 0 ? "empty: not sent"
    : length > LONG_DOC_CHARS ? `${length} characters: long, will be split into several windows`
      : `${length} characters`;
}

/** Before an answer says otherwise, document k (blank ones skipped) is window k. */
function showPredictedWindows() {
  let next = 0;
  docs().forEach((doc) => {
    markDropped(doc, false, new Set(), null);
    const blank = doc.querySelector("textarea").value.trim() === "";
    setDocWindows(doc, blank ? [] : [next++]);
  });
}

/**
 * A document none of whose windows the request's window selection kept is marked as not read, and so is
 * each dropped window's chip; the title says when the others were dropped.
 */
function markDropped(doc, dropped, kept, selection) {
  doc.classList.toggle("dropped", dropped);
  doc.title = dropped ? `not read: the window selection kept ${plural(kept.size, "window")} (${[...kept].join(", ")})`
    + (selection.dropped_at_step === 0 ? " before prefill" : ` from step ${selection.dropped_at_step} on`) : "";
  if (selection) {
    doc.querySelectorAll(".windows .chip:not(.more)").forEach((chip) => {
      chip.classList.toggle("dropped", !kept.has(Number(chip.textContent.replace("window ", ""))));
    });
  }
}

/** The legend on a document: one coloured chip per window it became. */
function setDocWindows(doc, windows) {
  const box = doc.querySelector(".windows");
  box.replaceChildren();
  doc.style.setProperty("--c", windows.length ? colorOf(windows[0]) : "#ced4da");
  const shown = windows.length > 6 ? [windows[0], windows[1], windows[2], null, windows[windows.length - 1]] : windows;
  shown.forEach((w) => {
    const chip = document.createElement("span");
    chip.className = w === null ? "chip more" : "chip";
    chip.textContent = w === null ? "…" : `window ${w}`;
    if (w !== null) chip.style.setProperty("--c", colorOf(w));
    box.appendChild(chip);
  });
}

function highlightDoc(doc) {
  docs().forEach((d) => d.classList.toggle("highlight", d === doc));
}

async function addFiles(files) {
  let added = 0;
  for (const file of files) {
    const text = (await file.text()).trim();
    if (text) { addDoc(text, file.name); added++; } else { showError(`${file.name} is empty and was skipped.`); }
  }
  if (added) docs()[docs().length - 1].scrollIntoView({ block: "nearest", behavior: "smooth" });
}

// ---------------------------------------------------------------- window → document

/**
 * Where each window came from, as the server says: token frames name their window's context
 * (document), the result lists every window's context and character range.
 */
function rememberSource(w, context, range) {
  if (!shown || w < 0 || !Number.isInteger(context) || context < 0) return;
  shown.contextOf.set(w, context);
  if (range) shown.rangeOf.set(w, range);
}

// ---------------------------------------------------------------- connection

let socket = null;
let reconnectDelay = 500;
let reconnectTimer = null;
let sequence = 0;
let current = null;   // the request in flight: { id, question, sent: [doc elements], tokens, stopTimer }
let shown = null;     // the answer on screen: { sent, contextOf, rangeOf } for hover → document

// The key never goes in the URL (proxies and ingress logs record URLs): the first message carries it.
function socketUrl() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/v1/ws`;
}

function apiKey() {
  return $("p-key").value.trim();
}

function setConnection(text, state) {
  const pill = $("model");
  pill.textContent = text;
  pill.dataset.state = state;
}

function connect() {
  clearTimeout(reconnectTimer);
  const ws = new WebSocket(socketUrl());
  socket = ws;
  ws.addEventListener("open", () => {
    const key = apiKey();
    if (key) ws.send(JSON.stringify({ type: "auth", api_key: key }));
    reconnectDelay = 500;
    loadModel();
    updateButtons();
  });
  ws.addEventListener("message", (event) => {
    let frame;
    try { frame = JSON.parse(event.data); } catch { return; }
    onFrame(frame);
  });
  ws.addEventListener("close", () => {
    if (socket !== ws) return;                       // replaced on purpose (new API key)
    if (current) {
      showError("The connection dropped during the answer; reconnecting.");
      finish("connection lost", null);
    }
    updateButtons();
    diagnose();
    const delay = reconnectDelay;
    reconnectDelay = Math.min(reconnectDelay * 2, 8000);
    reconnectTimer = setTimeout(connect, delay);
  });
}

function reconnectNow() {
  const old = socket;
  socket = null;
  if (old) old.close();
  reconnectDelay = 500;
  connect();
}

async function loadModel() {
  try {
    const response = await fetch("/v1/models", { headers: authHeaders() });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const body = await response.json();
    const name = body.data && body.data[0] ? body.data[0].id : "unknown";
    setConnection(`model: ${name}`, "up");
  } catch (e) {
    setConnection("connected (model list unavailable)", "up");
  }
}

/** Why the socket closed: a refused key reads differently from a server that is away. */
async function diagnose() {
  setConnection("disconnected: reconnecting…", "down");
  try {
    const response = await fetch("/v1/models", { headers: authHeaders() });
    if (response.status === 401 || response.status === 403) {
      setConnection("API key missing or wrong: see Parameters & settings", "down");
    } else {
      const ready = await fetch("/ready");
      if (ready.status === 503) setConnection("server warming up: reconnecting…", "down");
    }
  } catch (e) {
    setConnection("server unreachable: reconnecting…", "down");
  }
}

function authHeaders() {
  const key = apiKey();
  return key ? { Authorization: `Bearer ${key}` } : {};
}

function connected() {
  return socket !== null && socket.readyState === WebSocket.OPEN;
}

// ---------------------------------------------------------------- conversation

/**
 * Follow-up questions over the same documents: the earlier questions and answers go with the new
 * question as "messages", so every row is the whole conversation. Changing the documents, or
 * "New conversation", starts a new one.
 */
let conversation = { contexts: null, turns: [] };

function conversationFor(contexts) {
  const key = JSON.stringify(contexts);
  if (conversation.contexts !== key) conversation = { contexts: key, turns: [] };
  return conversation.turns.slice(-2 * MAX_EXCHANGES);
}

function remember(question, answer) {
  conversation.turns.push({ role: "user", content: question }, { role: "assistant", content: answer });
  showConversation();
}

function newConversation() {
  conversation = { contexts: null, turns: [] };
  showConversation();
}

function showConversation() {
  const exchanges = Math.min(conversation.turns.length / 2, MAX_EXCHANGES);
  $("conversation").hidden = exchanges === 0;
  $("turns").textContent = plural(exchanges, "earlier question");
}

// ---------------------------------------------------------------- asking

function number(id) {
  const text = $(id).value.trim();
  return text === "" ? undefined : Number(text);
}

/**
 * The response_format of "Answer as JSON" (docs/structured-output.md), undefined when the option is off,
 * or null after saying under the schema box why its text is not a schema.
 */
function responseFormat() {
  if (!$("json-answer").checked) return undefined;
  let schema;
  try {
    schema = JSON.parse($("json-schema").value);
  } catch (e) {
    return schemaError(`The schema is not valid JSON: ${e.message}`);
  }
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) {
    return schemaError("The schema must be a JSON object, such as {\"type\": \"object\", \"properties\": {…}}.");
  }
  schemaError("");
  return { type: "json_schema", json_schema: { name: "answer", schema } };
}

function schemaError(message) {
  $("schema-error").textContent = message;
  $("schema-error").hidden = !message;
  $("json-schema").setAttribute("aria-invalid", String(Boolean(message)));
  return null;
}

function send(event) {
  event.preventDefault();
  if (current) return;
  const format = responseFormat();
  if (format === null) { $("json-schema").focus(); return; }
  if (!connected()) { showError("Not connected to the server yet; it reconnects on its own, try again in a moment."); return; }
  showError("");
  const sent = docs().filter((doc) => doc.querySelector("textarea").value.trim() !== "");
  const question = $("question").value.trim();
  const contexts = sent.map((doc) => doc.querySelector("textarea").value.trim());
  const earlier = conversationFor(contexts);
  const request = {
    contexts,
    ...(earlier.length ? { messages: [...earlier, { role: "user", content: question }] } : { question }),
    max_new_tokens: number("p-max"),
    temperature: number("p-temp"),
    top_p: number("p-top-p"),
    seed: number("p-seed"),
    nbce: {
      beta: number("p-beta"), eta: number("p-eta"), pooling: $("p-pooling").value,
      ...($("p-selection").value === "saliency" ? { selection: { rule: "saliency", keep: 1 } } : {}),
    },
    ...(format ? { response_format: format } : {}),
  };
  const id = `q${++sequence}`;
  current = { id, question, sent, tokens: 0, stopTimer: null, json: Boolean(format) };
  shown = { sent, contextOf: new Map(), rangeOf: new Map() };
  showPredictedWindows();
  $("answer").replaceChildren();
  $("answer").removeAttribute("data-windows");
  $("usage").textContent = "";
  showJson(undefined);
  $("legend").replaceChildren();
  $("answer").setAttribute("aria-busy", "true");      // screen readers read the answer once, when complete
  setStatus("waiting for the first token…", "busy");
  updateButtons();
  socket.send(JSON.stringify({ type: "generate", id, request }));
}

function stop() {
  if (!current || !connected()) return;
  socket.send(JSON.stringify({ type: "cancel", id: current.id }));
  setStatus("stopping…", "busy");
  $("stop").disabled = true;
  const id = current.id;
  current.stopTimer = setTimeout(() => { if (current && current.id === id) finish("cancelled (no reply from the server)", null); }, STOP_GRACE_MS);
}

function onFrame(frame) {
  if (frame.type === "error" && (frame.id === null || frame.id === undefined)) {
    showError(errorText(frame));
    if (current && current.tokens === 0) finish(`error: ${frame.code || "error"}`, null);
    return;
  }
  if (!current || frame.id !== current.id) return;   // a late frame of an earlier request
  if (frame.type === "token") {
    appendToken(frame);
  } else if (frame.type === "done") {
    showResult(frame.result);
  } else if (frame.type === "error") {
    showError(errorText(frame));
    finish(`error: ${frame.code || "error"}`, null);
  }
}

function errorText(frame) {
  return frame.code ? `${frame.message} (${frame.code})` : String(frame.message || "unknown error");
}

function appendToken(frame) {
  current.tokens++;
  if ($("status").dataset.state === "busy" && !current.stopTimer) setStatus(`generating… ${plural(current.tokens, "token")}`, "busy");
  const w = Number.isInteger(frame.window) ? frame.window : -1;
  rememberSource(w, frame.context, null);
  if (!frame.text) return;                            // an unfinished UTF-8 sequence: text comes with the next token
  const span = document.createElement("span");
  span.className = "tok";
  span.dataset.window = String(w);
  span.style.setProperty("--c", colorOf(w));
  span.textContent = frame.text;
  labelToken(span);
  $("answer").appendChild(span);
}

/** The document a window came from, or null (question-only row, not yet known, or since removed). */
function docOfWindow(w) {
  if (!shown || w < 0 || !shown.contextOf.has(w)) return null;
  const doc = shown.sent[shown.contextOf.get(w)];
  return doc && doc.isConnected ? doc : null;
}

function labelToken(span) {
  const w = Number(span.dataset.window);
  const doc = docOfWindow(w);
  const range = shown && shown.rangeOf.get(w);
  if (doc) span.dataset.doc = doc.dataset.index; else delete span.dataset.doc;
  if (range) span.dataset.range = `${range.start}-${range.end}`; else delete span.dataset.range;
  const where = range ? `, characters ${range.start}–${range.end}` : "";
  span.title = w < 0 ? "from the question-only row (no document)"
    : `window ${w}${doc ? `: ${doc.querySelector(".name").textContent}${where}` : ""}`;
}

function showResult(result) {
  const usage = result.usage || {};
  const windows = Number(result.windows) || 0;
  const rows = usage.prompt_tokens_per_row || [];
  const sources = Array.isArray(result.window_sources) ? result.window_sources : [];
  sources.forEach((source, w) => rememberSource(w, source.context, { start: source.start, end: source.end }));
  $("answer").dataset.windows = String(windows);
  $("answer").querySelectorAll(".tok").forEach(labelToken);
  // Document legends: the windows each document became in this answer.
  const selection = result.selection && Number.isInteger(result.selection.dropped_at_step) ? result.selection : null;
  const kept = new Set(selection ? selection.kept_windows : []);
  if (sources.length === windows) {
    shown.sent.forEach((doc, position) => {
      const own = sources.flatMap((source, w) => (source.context === position ? [w] : []));
      setDocWindows(doc, own);
      markDropped(doc, selection !== null && own.length > 0 && own.every((w) => !kept.has(w)), kept, selection);
    });
  }
  renderLegend(result.selected_windows || []);
  if (current && current.json) showJson(parsedOrUndefined(result.text || ""));
  const reason = result.finish_reason;
  const split = windows > shown.sent.length ? ` (long documents were split: ${plural(shown.sent.length, "document")} → ${windows} windows)` : "";
  $("usage").textContent = `${FINISH_REASONS[reason] || reason} · ${plural(usage.generated_tokens ?? 0, "token")} generated · `
    + `${usage.prompt_tokens ?? 0} prompt tokens in ${plural(rows.length, "row")}, ${plural(windows, "window")}${split}`;
  if (reason !== "cancelled" && current) remember(current.question, result.text || "");
  finish(`done: ${reason}`, reason);
}

// ---------------------------------------------------------------- the answer as JSON

function parsedOrUndefined(text) {
  try { return JSON.parse(text); } catch { return undefined; }   // cut short (length, Stop): only the raw text
}

const isScalar = (value) => value === null || typeof value !== "object";
const isFlatObject = (value) => !isScalar(value) && !Array.isArray(value) && Object.values(value).every(isScalar);
/** How a scalar reads in a cell: a string as itself, anything else as its JSON. */
const scalarText = (value) => (typeof value === "string" ? value : JSON.stringify(value));

/**
 * Under the raw answer: an object of scalars as key/value rows, an array of such objects as one row per
 * item, anything else as a tree of <details>. All text goes in through textContent.
 */
function showJson(value) {
  const view = $("json-view");
  view.replaceChildren();
  view.hidden = value === undefined;
  if (value === undefined) return;
  if (isFlatObject(value)) {
    view.dataset.shape = "object";
    view.appendChild(table(["key", "value"], Object.entries(value).map(([k, v]) => [k, scalarText(v)])));
  } else if (Array.isArray(value) && value.length > 0 && value.every(isFlatObject)) {
    view.dataset.shape = "rows";
    const columns = [...new Set(value.flatMap(Object.keys))];
    view.appendChild(table(columns, value.map((item) => columns.map((c) => (c in item ? scalarText(item[c]) : "")))));
  } else {
    view.dataset.shape = "tree";
    const root = document.createElement("ul");
    root.appendChild(treeItem("answer", value));
    view.appendChild(root);
  }
}

function table(columns, rows) {
  const element = document.createElement("table");
  const head = element.createTHead().insertRow();
  columns.forEach((column) => {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = column;
    head.appendChild(th);
  });
  const body = element.createTBody();
  rows.forEach((cells) => {
    const row = body.insertRow();
    cells.forEach((text) => { row.insertCell().textContent = text; });
  });
  return element;
}

function treeItem(label, value) {
  const item = document.createElement("li");
  const key = document.createElement("span");
  key.className = "key";
  key.textContent = `${label}: `;
  if (isScalar(value)) {
    const text = document.createElement("span");
    text.className = "value";
    text.textContent = scalarText(value);
    item.append(key, text);
    return item;
  }
  const details = document.createElement("details");
  details.open = true;
  details.dataset.type = Array.isArray(value) ? "array" : "object";
  const summary = document.createElement("summary");
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  summary.append(key, Array.isArray(value) ? `[${plural(entries.length, "item")}]` : `{${plural(entries.length, "key")}}`);
  const list = document.createElement("ul");
  entries.forEach(([k, v]) => list.appendChild(treeItem(k, v)));
  details.append(summary, list);
  item.appendChild(details);
  return item;
}

/** Tokens per window, as chips that point at their document on hover or focus. */
function renderLegend(selected) {
  const counts = new Map();
  selected.forEach((w) => counts.set(w, (counts.get(w) || 0) + 1));
  const legend = $("legend");
  legend.replaceChildren();
  [...counts.keys()].sort((a, b) => a - b).forEach((w) => {
    const chip = document.createElement("button");
    chip.type = "button";
    chip.className = "chip";
    chip.dataset.window = String(w);
    chip.style.setProperty("--c", colorOf(w));
    const doc = docOfWindow(w);
    const where = w < 0 ? "no document" : doc ? doc.querySelector(".name").textContent : "document unknown";
    chip.textContent = `${w < 0 ? "question only" : `window ${w}`} · ${where} · ${plural(counts.get(w), "token")}`;
    legend.appendChild(chip);
  });
}

function finish(status, reason) {
  const request = current;
  if (request && request.stopTimer) clearTimeout(request.stopTimer);
  current = null;
  $("answer").removeAttribute("aria-busy");
  setStatus(status, reason === null ? "error" : "done");
  if (request) addHistory(request.question, reason === null ? status : reason);
  updateButtons();
}

function setStatus(text, state) {
  $("status").textContent = text;
  $("status").dataset.state = state;
}

function updateButtons() {
  $("send").disabled = current !== null;
  $("stop").disabled = current === null || !connected();
}

function showError(message) {
  $("error-text").textContent = message;
  $("error").hidden = !message;
}

// ---------------------------------------------------------------- history

function addHistory(question, outcome) {
  const item = document.createElement("li");
  const q = document.createElement("button");
  q.type = "button";
  q.className = "q";
  q.title = "Ask this again";
  q.textContent = question;
  q.addEventListener("click", () => { $("question").value = question; $("question").focus(); });
  const answer = document.createElement("div");
  answer.className = "a";
  const tokens = [...$("answer").querySelectorAll(".tok")];
  tokens.forEach((tok) => {
    const copy = document.createElement("span");
    copy.className = "htok";
    copy.textContent = tok.textContent;
    copy.style.setProperty("--c", tok.style.getPropertyValue("--c"));
    answer.appendChild(copy);
  });
  if (!tokens.length) answer.textContent = "(no answer)";
  const meta = document.createElement("span");
  meta.className = "meta";
  meta.textContent = outcome;
  item.append(q, answer, meta);
  $("history").prepend(item);
  $("history-empty").hidden = true;
  $("clear-history").hidden = false;
}

// ---------------------------------------------------------------- wiring

$("answer").addEventListener("mouseover", (e) => {
  const tok = e.target.closest(".tok");
  if (tok) highlightDoc(docOfWindow(Number(tok.dataset.window)));
});
$("answer").addEventListener("mouseleave", () => highlightDoc(null));
$("answer").addEventListener("click", (e) => {
  // A click (or a tap, which has no hover) also brings the document into view.
  const tok = e.target.closest(".tok");
  const doc = tok && docOfWindow(Number(tok.dataset.window));
  if (doc) { highlightDoc(doc); doc.scrollIntoView({ block: "nearest", behavior: "smooth" }); }
});
for (const type of ["mouseover", "focusin"]) {
  $("legend").addEventListener(type, (e) => {
    const chip = e.target.closest(".chip");
    if (chip) highlightDoc(docOfWindow(Number(chip.dataset.window)));
  });
}
$("legend").addEventListener("mouseleave", () => highlightDoc(null));
$("legend").addEventListener("click", (e) => {
  const chip = e.target.closest(".chip");
  const doc = chip && docOfWindow(Number(chip.dataset.window));
  if (doc) { highlightDoc(doc); doc.scrollIntoView({ block: "nearest", behavior: "smooth" }); }
});
$("legend").addEventListener("focusout", () => highlightDoc(null));

$("ask-form").addEventListener("submit", send);
$("json-schema").value = JSON.stringify(EXAMPLE_SCHEMA, null, 2);
$("json-answer").addEventListener("change", () => {
  $("json-options").hidden = !$("json-answer").checked;
  if (!$("json-answer").checked) schemaError("");
});
$("stop").addEventListener("click", stop);
$("add-doc").addEventListener("click", () => addDoc().querySelector("textarea").focus());
$("reset-docs").addEventListener("click", () => {
  docs().forEach((doc) => doc.remove());
  EXAMPLE_DOCS.forEach((text) => addDoc(text));
  $("question").value = EXAMPLE_QUESTION;
});
$("file-input").addEventListener("change", async (e) => { await addFiles([...e.target.files]); e.target.value = ""; });
$("error-close").addEventListener("click", () => showError(""));
$("new-conversation").addEventListener("click", () => { newConversation(); $("question").focus(); });
$("clear-history").addEventListener("click", () => {
  $("history").replaceChildren();
  $("history-empty").hidden = false;
  $("clear-history").hidden = true;
});
document.addEventListener("keydown", (e) => {
  // Ctrl/Cmd+Enter sends from anywhere (a textarea's plain Enter is a new line); Escape stops.
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); $("ask-form").requestSubmit(); }
  if (e.key === "Escape" && current) stop();
});

const list = $("doc-list");
list.addEventListener("dragover", (e) => { e.preventDefault(); list.classList.add("drop"); });
list.addEventListener("dragleave", () => list.classList.remove("drop"));
list.addEventListener("drop", (e) => {
  e.preventDefault();
  list.classList.remove("drop");
  addFiles([...e.dataTransfer.files]);
});

$("p-key").value = localStorage.getItem("nbce-api-key") || "";
$("p-key").addEventListener("change", () => {
  localStorage.setItem("nbce-api-key", apiKey());
  reconnectNow();
});
window.addEventListener("online", () => { if (!connected()) reconnectNow(); });

EXAMPLE_DOCS.forEach((text) => addDoc(text));
connect();
