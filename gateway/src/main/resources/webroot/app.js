// NBCE chat page: documents → windows, one WebSocket, tokens streamed with the window each came from.
"use strict";

const COLORS = ["#3656d6", "#d6336c", "#0c8599", "#e8590c", "#5f3dc4", "#2b8a3e", "#c2255c", "#1971c2", "#ae3ec9", "#f08c00"];
const EXAMPLES = [
  "Bruno Kim lives in Oslo. The favorite color of Ana Berg is green. Mira Kaur works as a architect.",
  "The secret code of Lena Fischer is 4821. Omar Diaz works as a pilot. Theo Park has a pet rabbit.",
];
const $ = (id) => document.getElementById(id);
const colorOf = (w) => (w < 0 ? "#999" : COLORS[w % COLORS.length]);

let socket = null;
let current = null;          // { id, question, answerEl }
let sequence = 0;
let reconnectDelay = 500;

function addDoc(text = "") {
  const list = $("doc-list");
  const index = list.children.length;
  const doc = document.createElement("div");
  doc.className = "doc";
  doc.dataset.index = String(index);
  doc.style.setProperty("--c", colorOf(index));
  doc.innerHTML = `<div class="doc-head"><span><span class="swatch"></span><span class="name"></span></span>
    <button type="button" class="remove" aria-label="Remove document">✕</button></div>
    <textarea aria-label="Document text"></textarea>`;
  doc.querySelector("textarea").value = text;
  doc.querySelector(".remove").addEventListener("click", () => { doc.remove(); renumber(); });
  list.appendChild(doc);
  renumber();
  return doc;
}

function renumber() {
  [...$("doc-list").children].forEach((doc, i) => {
    doc.dataset.index = String(i);
    doc.style.setProperty("--c", colorOf(i));
    doc.querySelector(".name").textContent = `Document ${i + 1} (window ${i})`;
  });
}

function showError(message) {
  const box = $("error");
  box.textContent = message;
  box.hidden = !message;
}

function socketUrl() {
  const key = $("p-key").value.trim();
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  return `${proto}//${location.host}/v1/ws${key ? "?api_key=" + encodeURIComponent(key) : ""}`;
}

function connect() {
  socket = new WebSocket(socketUrl());
  socket.addEventListener("open", () => { reconnectDelay = 500; loadModel(); });
  socket.addEventListener("message", (event) => onFrame(JSON.parse(event.data)));
  socket.addEventListener("close", () => {
    $("model").textContent = "disconnected — reconnecting…";
    $("model").classList.add("down");
    if (current) { finish(`connection lost`); }
    setTimeout(connect, reconnectDelay);
    reconnectDelay = Math.min(reconnectDelay * 2, 8000);
  });
}

async function loadModel() {
  try {
    const response = await fetch("/v1/models", { headers: authHeaders() });
    const body = await response.json();
    const name = body.data && body.data[0] ? body.data[0].id : "unknown model";
    $("model").textContent = `model: ${name}`;
    $("model").classList.remove("down");
  } catch (e) {
    $("model").textContent = "model list unavailable";
  }
}

function authHeaders() {
  const key = $("p-key").value.trim();
  return key ? { Authorization: `Bearer ${key}` } : {};
}

function number(id) {
  const text = $(id).value.trim();
  return text === "" ? undefined : Number(text);
}

function send(event) {
  event.preventDefault();
  if (!socket || socket.readyState !== WebSocket.OPEN) { showError("Not connected yet — retrying."); return; }
  if (current) { return; }
  showError("");
  const contexts = [...document.querySelectorAll(".doc textarea")].map((t) => t.value.trim()).filter((t) => t);
  const question = $("question").value.trim();
  const request = {
    contexts, question,
    max_new_tokens: number("p-max"), temperature: number("p-temp"), top_p: number("p-top-p"),
    nbce: { beta: number("p-beta"), pooling: $("p-pooling").value },
  };
  const id = `q${++sequence}`;
  $("answer").textContent = "";
  $("status").textContent = "generating…";
  current = { id, question };
  $("send").disabled = true;
  $("stop").disabled = false;
  socket.send(JSON.stringify({ type: "generate", id, request }));
}

function onFrame(frame) {
  if (frame.type === "error" && (!current || frame.id !== current.id)) {
    showError(`${frame.code}: ${frame.message}`);
    return;
  }
  if (!current || frame.id !== current.id) { return; }
  if (frame.type === "token") {
    appendToken(frame);
  } else if (frame.type === "done") {
    const r = frame.result;
    const u = r.usage;
    finish(`done: ${r.finish_reason} · ${u.generated_tokens} tokens · ${r.windows} window(s) · ${u.prompt_tokens} prompt tokens`);
  } else if (frame.type === "error") {
    showError(`${frame.code}: ${frame.message}`);
    finish(`error: ${frame.code}`);
  }
}

function appendToken(frame) {
  if (!frame.text) { return; }
  const span = document.createElement("span");
  span.className = "tok";
  span.dataset.window = String(frame.window);
  span.style.setProperty("--c", colorOf(frame.window));
  span.textContent = frame.text;
  span.title = frame.window < 0 ? "no context" : `from window ${frame.window}`;
  $("answer").appendChild(span);
}

function highlight(window, on) {
  document.querySelectorAll(".doc").forEach((doc) => {
    doc.classList.toggle("highlight", on && doc.dataset.index === String(window));
  });
}

function finish(status) {
  $("status").textContent = status;
  if (current) {
    const item = document.createElement("li");
    item.innerHTML = `<span class="q"></span> → <span class="a"></span>`;
    item.querySelector(".q").textContent = current.question;
    item.querySelector(".a").textContent = $("answer").textContent || "(no answer)";
    $("history").prepend(item);
  }
  current = null;
  $("send").disabled = false;
  $("stop").disabled = true;
}

function stop() {
  if (current && socket && socket.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify({ type: "cancel", id: current.id }));
  }
}

async function upload(event) {
  for (const file of event.target.files) {
    addDoc(await file.text());
  }
  event.target.value = "";
}

$("answer").addEventListener("mouseover", (e) => { if (e.target.classList.contains("tok")) highlight(e.target.dataset.window, true); });
$("answer").addEventListener("mouseout", (e) => { if (e.target.classList.contains("tok")) highlight(null, false); });
$("ask-form").addEventListener("submit", send);
$("stop").addEventListener("click", stop);
$("add-doc").addEventListener("click", () => addDoc().querySelector("textarea").focus());
$("file-input").addEventListener("change", upload);
$("p-key").value = localStorage.getItem("nbce-api-key") || "";
$("p-key").addEventListener("change", () => { localStorage.setItem("nbce-api-key", $("p-key").value.trim()); socket && socket.close(); });
EXAMPLES.forEach((text) => addDoc(text));
connect();
