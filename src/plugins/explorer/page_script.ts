/**
 * The explorer page's inline script (allowed by its hash). It reads `rpc.discover` from the path in
 * `<html data-rpc>` and builds the page with `createElement` and `textContent` only, so the
 * service's texts are never markup; no `eval`, `new Function` or `innerHTML`, no other request.
 *
 * Plain browser JavaScript in a string: no build step, and exactly the text the CSP hash covers.
 *
 * @module
 */

/**
 * The JavaScript of the explorer page.
 *
 * @example
 * ```ts
 * import { PAGE_SCRIPT } from "./page_script.ts";
 * PAGE_SCRIPT.includes("innerHTML"); // false
 * ```
 */
export const PAGE_SCRIPT: string = String.raw`
(() => {
"use strict";
const root = document.documentElement;
const app = document.getElementById("app");
const rpcUrl = new URL(root.getAttribute("data-rpc") || "./api", location.href).href;
const documentUrl = root.getAttribute("data-document");
const tokenHeader = root.getAttribute("data-token-header") || "X-Api-Token";
const storeKey = "tsmicroservice-explorer-token " + rpcUrl;
const NOT_GIVEN = { given: false };
let token = "";
try { token = sessionStorage.getItem(storeKey) || ""; } catch (error) { token = ""; }
let nextId = 1;
let nextField = 1;
const batch = [];

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = String(value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) if (child !== undefined && child !== null && child !== false) node.append(child);
  return node;
}
const isObject = (value) => typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value) => (typeof value === "string" ? value : JSON.stringify(value) ?? String(value));
const pretty = (value) => (value === undefined ? "(nothing)" : JSON.stringify(value, null, 2));
const quote = (value) => "'" + String(value).replace(/'/g, "'\\''") + "'";
const line = (kind, words) => el("p", { class: "status " + kind, text: words });

function typeName(schema, depth = 0) {
  if (!isObject(schema)) return schema === false ? "never" : "any";
  if (Array.isArray(schema.enum)) return schema.enum.map(text).join(" | ") || "never";
  if ("const" in schema) return text(schema.const);
  const type = schema.type;
  if (Array.isArray(type)) return type.map(text).join(" | ");
  if (type === "array") return isObject(schema.items) ? typeName(schema.items, depth) + "[]" : "array";
  if (isObject(schema.properties) && (type === undefined || type === "object")) return shapeName(schema, depth);
  if (typeof type === "string") return type;
  for (const key of ["anyOf", "oneOf"]) if (Array.isArray(schema[key])) return schema[key].map((part) => typeName(part, depth)).join(" | ");
  return "any";
}
// An object schema's shape, as TypeScript writes it: { id: string, note?: string }. Two levels
// deep and eight keys at most, so a large schema stays one readable line.
function shapeName(schema, depth) {
  const keys = Object.keys(schema.properties);
  if (depth >= 2 || keys.length === 0) return "object";
  const required = Array.isArray(schema.required) ? schema.required : [];
  const shown = keys.slice(0, 8).map((key) => key + (required.includes(key) ? "" : "?") + ": " + typeName(schema.properties[key], depth + 1));
  return "{ " + shown.join(", ") + (keys.length > 8 ? ", …" : "") + " }";
}
function choicesOf(schema) {
  const values = Array.isArray(schema.enum) ? schema.enum : "const" in schema ? [schema.const] : undefined;
  const simple = (value) => value === null || ["string", "number", "boolean"].includes(typeof value);
  return values !== undefined && values.length > 0 && values.every(simple) ? values : undefined;
}

function curlOf(payload, streams) {
  const words = ["curl", "-sS", "-X", "POST", quote(rpcUrl), "-H", quote("Content-Type: application/json")];
  // -N: curl prints each event as it comes instead of buffering them.
  if (streams) words.push("-N", "-H", quote("Accept: text/event-stream"));
  if (token !== "") words.push("-H", quote(tokenHeader + ": " + token));
  words.push("--data-raw", quote(JSON.stringify(payload)));
  return words.join(" ");
}
function callOf(method, params) {
  const call = { jsonrpc: "2.0", method };
  if (params !== undefined) call.params = params;
  call.id = nextId++;
  return call;
}

function send(payload, headers, signal) {
  if (token !== "") headers[tokenHeader] = token;
  return fetch(rpcUrl, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(payload), cache: "no-store", redirect: "error", credentials: "same-origin", signal });
}
const failed = (error, started) => ({ ms: performance.now() - started, failure: "The request failed: " + (error instanceof Error ? error.message : String(error)) });
async function answerOf(response, started) {
  const body = await response.text();
  const ms = performance.now() - started;
  if (body === "") return { ms, status: response.status };
  try {
    return { ms, status: response.status, body: JSON.parse(body) };
  } catch (error) {
    return { ms, status: response.status, failure: "HTTP " + response.status + ", not JSON", raw: body };
  }
}
async function post(payload) {
  const started = performance.now();
  try {
    return await answerOf(await send(payload, {}), started);
  } catch (error) {
    return failed(error, started);
  }
}

// A streaming method's call: its Server-Sent Events read from fetch's body (EventSource cannot
// POST), each item listed as it arrives, the response event shown as any answer; Stop aborts the
// fetch, which ends the stream on the service.
async function streamInto(box, payload) {
  const started = performance.now();
  const abort = new AbortController();
  const status = line("plain", "Streaming…");
  const stop = el("button", { type: "button", class: "secondary", text: "Stop", onclick: () => abort.abort() });
  const items = el("ol", { class: "items", "aria-label": "Items" });
  box.replaceChildren(status, stop, items);
  let response;
  let buffer = "";
  try {
    const answer = await send(payload, { Accept: "text/event-stream" }, abort.signal);
    // A JSON answer: a refusal (or a method that did not stream after all).
    if (!/^text\/event-stream/.test(answer.headers.get("content-type") || "")) return showAnswer(box, await answerOf(answer, started));
    const reader = answer.body.getReader();
    const decoder = new TextDecoder();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      // Our events end lines with LF (docs/streams.md), each event with an empty line.
      buffer += decoder.decode(chunk.value, { stream: true });
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = /^data: (.*)$/m.exec(event);
        if (data === null) continue;
        if (/^event: response$/m.test(event)) response = JSON.parse(data[1]);
        else {
          items.append(el("li", null, el("code", { text: data[1] })));
          status.textContent = "Streaming… " + items.childElementCount + " items";
        }
      }
    }
  } catch (error) {
    if (!abort.signal.aborted) box.prepend(line("bad", failed(error, started).failure));
  }
  stop.remove();
  const time = " · " + items.childElementCount + " items · " + (performance.now() - started).toFixed(1) + " ms";
  if (response !== undefined) box.replaceChildren(...responseNodes(response, time), items);
  else status.replaceWith(line(abort.signal.aborted ? "plain" : "bad", (abort.signal.aborted ? "Stopped" : "The stream was cut") + time));
}
const took = (answer) => " · " + answer.ms.toFixed(1) + " ms";
function responseNodes(response, time) {
  if (isObject(response) && "error" in response) {
    const error = isObject(response.error) ? response.error : {};
    return [line("bad", "Error " + text(error.code) + ": " + text(error.message) + time), el("pre", { text: pretty(response.error) })];
  }
  if (isObject(response) && "result" in response) return [line("good", "Result" + time), el("pre", { text: pretty(response.result) })];
  return [line("bad", "Not a JSON-RPC answer" + time), el("pre", { text: pretty(response) })];
}
function showAnswer(box, answer) {
  box.replaceChildren();
  if (answer.failure !== undefined) box.append(line("bad", answer.failure + took(answer)), answer.raw === undefined ? "" : el("pre", { text: answer.raw }));
  else if (answer.body === undefined) box.append(line("plain", "No answer (HTTP " + answer.status + ")" + took(answer)));
  else box.append(...responseNodes(answer.body, took(answer)));
}
function showCurl(box, payload, streams) {
  const command = curlOf(payload, streams);
  box.replaceChildren(el("pre", { class: "curl", text: command }), line("plain", "Copying…"));
  const note = box.lastChild;
  const fallback = () => { note.textContent = "Select the command above to copy it."; };
  try {
    navigator.clipboard.writeText(command).then(() => { note.textContent = "Copied to the clipboard."; }, fallback);
  } catch (error) { fallback(); }
}

function fieldFor(param) {
  const id = "f" + nextField++;
  const name = text(param.name);
  const schema = isObject(param.schema) ? param.schema : {};
  const required = param.required === true;
  const rest = param["x-rest"] === true;
  const choices = rest ? undefined : choicesOf(schema);
  const type = rest ? "rest" : choices !== undefined ? "enum" : typeof schema.type === "string" ? schema.type : "json";
  const about = [schema.title, schema.description].filter((words) => typeof words === "string" && words !== "").join(": ");
  const aboutId = about === "" ? undefined : id + "-about";
  let control;
  let read;
  const options = (values, labels) => {
    control = el("select", { id, "aria-describedby": aboutId });
    if (!required) control.append(el("option", { value: "", text: "(not given)" }));
    labels.forEach((label, index) => control.append(el("option", { value: String(index), text: label })));
    read = () => (control.value === "" ? NOT_GIVEN : { given: true, value: values[Number(control.value)] });
  };
  if (type === "enum") options(choices, choices.map(text));
  else if (type === "boolean") options([true, false], ["true", "false"]);
  else if (type === "number" || type === "integer") {
    control = el("input", { id, type: "number", step: type === "integer" ? "1" : "any", "aria-describedby": aboutId });
    read = () => {
      if (control.value === "") {
        if (control.validity.badInput) throw new Error(name + " is not a number");
        return NOT_GIVEN;
      }
      return { given: true, value: Number(control.value) };
    };
  } else if (type === "string") {
    control = el("input", { id, type: "text", autocomplete: "off", spellcheck: "false", "aria-describedby": aboutId });
    read = () => (control.value === "" && !required ? NOT_GIVEN : { given: true, value: control.value });
  } else {
    control = el("textarea", { id, rows: "2", spellcheck: "false", "aria-describedby": aboutId, placeholder: rest ? "A JSON array of the extra params, such as [1, 2]" : "JSON, such as \"text\", 42, [1, 2] or {\"a\": 1}" });
    read = () => {
      const source = control.value.trim();
      if (source === "") return NOT_GIVEN;
      let value;
      try { value = JSON.parse(source); } catch (error) { throw new Error(name + " is not valid JSON"); }
      if (rest && !Array.isArray(value)) throw new Error(name + " takes a JSON array (the extra params)");
      return { given: true, value };
    };
  }
  const hint = (required ? "required" : "optional") + " · " + (rest ? typeName(schema) + "[], rest" : typeName(schema)) + (type === "json" || type === "rest" ? " · JSON" : "");
  const node = el("div", { class: "field" },
    el("label", { for: id }, el("span", { class: "mono", text: name }), " ", el("span", { class: "hint", text: hint })),
    control,
    aboutId === undefined ? null : el("div", { id: aboutId, class: "hint", text: about }));
  return { name, rest, node, read };
}

function methodView(method, index) {
  const name = text(method.name);
  const params = Array.isArray(method.params) ? method.params.filter(isObject) : [];
  const result = isObject(method.result) ? method.result : {};
  const isPrivate = method["x-private"] === true;
  const scopes = Array.isArray(method["x-scopes"]) ? method["x-scopes"].map(text) : [];
  const structure = method.paramStructure;
  const stream = isObject(method["x-stream"]) ? method["x-stream"] : undefined;
  const resultType = stream === undefined ? typeName(result.schema) : "stream of " + typeName(stream.items);
  const signature = "(" + params.map((param) => (param["x-rest"] === true ? "..." : "") + text(param.name) + (param.required === true ? "" : "?") + ": " + typeName(param.schema)).join(", ") + ") → " + resultType;
  const fields = params.map(fieldFor);
  const hasRest = fields.some((field) => field.rest);
  const byName = structure === "by-name" || (structure === "either" && !hasRest);
  // By name whenever the method takes it: each field is a named param (an object schema's key),
  // and a param left empty is simply left out. A rest param exists only by position.
  let mode = byName ? "named" : "positional";
  const output = el("div", { class: "output", role: "status", "aria-live": "polite" });
  const curlBox = el("div", { class: "curl-box", "aria-live": "polite" });
  const modeName = "mode-" + index;
  const radio = (value, label, disabled) => el("label", null,
    el("input", { type: "radio", name: modeName, value, checked: mode === value, disabled, onchange: () => { mode = value; } }), label);

  function paramsOf() {
    if (params.length === 0) return undefined;
    const values = fields.map((field) => field.read());
    if (mode === "named") {
      const named = Object.create(null);
      fields.forEach((field, at) => { if (values[at].given) named[field.name] = values[at].value; });
      return named;
    }
    let last = -1;
    values.forEach((value, at) => { if (value.given) last = at; });
    const list = [];
    for (let at = 0; at <= last; at++) {
      if (fields[at].rest) list.push(...values[at].value);
      else if (!values[at].given) throw new Error("Give " + fields[at].name + " too, or send the params by name");
      else list.push(values[at].value);
    }
    return list;
  }
  function prepared() {
    try {
      return { params: paramsOf() };
    } catch (error) {
      output.replaceChildren(el("p", { class: "status bad", role: "alert", text: error instanceof Error ? error.message : String(error) }));
      return undefined;
    }
  }
  const form = el("form", {
    class: "call",
    "aria-label": "Call " + name,
    onsubmit: async (event) => {
      event.preventDefault();
      const call = prepared();
      if (call === undefined) return;
      if (stream !== undefined) return streamInto(output, callOf(name, call.params));
      output.replaceChildren(line("plain", "Calling…"));
      showAnswer(output, await post(callOf(name, call.params)));
    },
  },
  fields.length === 0 ? el("p", { class: "note", text: "No params." }) : el("fieldset", null, el("legend", { text: "Params" }), ...fields.map((field) => field.node)),
  fields.length === 0 ? null : el("fieldset", { class: "mode" }, el("legend", { text: "Send the params" }),
    radio("positional", "by position (an array)", structure === "by-name"),
    radio("named", "by name (an object)", structure === "by-position" || hasRest)),
  el("div", { class: "row" },
    el("button", { type: "submit", text: "Call " + name }),
    el("button", { type: "button", class: "secondary", text: "Copy as curl", onclick: () => {
      const call = prepared();
      if (call !== undefined) showCurl(curlBox, { ...callOf(name, call.params), id: 1 }, stream !== undefined);
    } }),
    // A batch cannot carry a stream.
    stream === undefined && el("button", { type: "button", class: "secondary", text: "Add to batch", onclick: () => {
      const call = prepared();
      if (call === undefined) return;
      batch.push({ method: name, params: call.params });
      output.replaceChildren(line("plain", "Added to the batch (" + batch.length + " calls)."));
      renderBatch();
    } })),
  curlBox,
  output);

  return el("details", { class: "method", id: "method-" + index },
    el("summary", null,
      el("span", { class: "name mono", text: name }),
      el("span", { class: "badge " + (isPrivate ? "private" : "public"), text: isPrivate ? "private" : "public" }),
      method["x-idempotent"] === true ? el("span", { class: "badge plain", text: "idempotent" }) : null,
      stream === undefined ? null : el("span", { class: "badge plain", text: "stream" }),
      el("code", { class: "signature", text: signature })),
    el("div", { class: "method-body" },
      typeof method.description === "string" ? el("p", { text: method.description }) : null,
      isPrivate ? el("p", { class: "note scopes", text: scopes.length === 0 ? "Needs a token: authorize above." : "Needs a token with the scopes " + scopes.join(", ") + ": authorize above." }) : null,
      method["x-idempotent"] === true ? el("p", { class: "note", text: "Idempotent: calling it twice does what calling it once does, so a client may retry it." }) : null,
      stream === undefined ? null : el("p", { class: "note", text: "Streams: each item is shown as it arrives, then the result; Stop ends it." + (stream.resumable === true ? " Resumable." : "") }),
      el("p", null, stream === undefined ? "Result: " : "Items: ", el("code", { text: stream === undefined ? typeName(result.schema) : typeName(stream.items) })),
      errorsView(method),
      form));
}

// The method's declared errors (OpenRPC's errors), one line each: the code, then the message.
function errorsView(method) {
  const errors = Array.isArray(method.errors) ? method.errors.filter(isObject) : [];
  if (errors.length === 0) return null;
  return el("div", { class: "errors" }, el("p", { text: "Declared errors:" }),
    el("ul", null, ...errors.map((error) => el("li", null, el("code", { text: text(error.code) }), " " + text(error.message)))));
}

const batchList = el("ol", { class: "batch-list", "aria-label": "Calls in the batch" });
const batchOutput = el("div", { class: "output", role: "status", "aria-live": "polite" });
const batchCurl = el("div", { class: "curl-box", "aria-live": "polite" });
const batchEmpty = el("p", { class: "note", text: "No calls yet: use a method's “Add to batch”." });
const batchButtons = [];
function renderBatch() {
  batchList.replaceChildren(...batch.map((call, at) => el("li", null,
    el("code", { text: call.method + (call.params === undefined ? "" : " " + JSON.stringify(call.params)) }), " ",
    el("button", { type: "button", class: "secondary", text: "Remove", "aria-label": "Remove call " + (at + 1) + ", " + call.method, onclick: () => {
      batch.splice(at, 1);
      renderBatch();
    } }))));
  batchList.hidden = batch.length === 0;
  batchEmpty.hidden = batch.length !== 0;
  for (const button of batchButtons) button.disabled = batch.length === 0;
}
function batchPayload() { return batch.map((call) => callOf(call.method, call.params)); }
async function sendBatch() {
  const calls = batchPayload();
  batchOutput.replaceChildren(line("plain", "Sending " + calls.length + " calls…"));
  const answer = await post(calls);
  if (answer.failure !== undefined || !Array.isArray(answer.body)) return showAnswer(batchOutput, answer);
  const byId = new Map(answer.body.filter(isObject).map((response) => [response.id, response]));
  batchOutput.replaceChildren(line("plain", calls.length + " calls in one request" + took(answer)),
    el("ol", { class: "batch-list", "aria-label": "Batch answers" }, ...calls.map((call) => el("li", null,
      el("code", { text: call.method }),
      ...(byId.has(call.id) ? responseNodes(byId.get(call.id), "") : [line("bad", "No answer for this call")])))));
}
function batchView() {
  const send = el("button", { type: "button", text: "Send the batch", onclick: sendBatch });
  const curl = el("button", { type: "button", class: "secondary", text: "Copy as curl", onclick: () => showCurl(batchCurl, batchPayload()) });
  const clear = el("button", { type: "button", class: "secondary", text: "Clear", onclick: () => {
    batch.length = 0;
    batchOutput.replaceChildren();
    renderBatch();
  } });
  batchButtons.push(send, curl, clear);
  renderBatch();
  return el("section", { class: "panel", "aria-labelledby": "batch-title" },
    el("h2", { id: "batch-title", text: "Batch" }),
    el("p", { class: "note", text: "Several calls in one POST; each answer is shown with its call." }),
    batchEmpty, batchList, el("div", { class: "row" }, send, curl, clear), batchCurl, batchOutput);
}

function authView() {
  const input = el("input", { id: "token", type: "password", autocomplete: "off", spellcheck: "false" });
  const status = el("p", { class: "note", role: "status" });
  const update = () => {
    status.textContent = token === "" ? "Not authorized: private methods will be refused." : "Authorized: calls carry the token (kept in this tab only).";
  };
  const set = (value) => {
    token = value;
    try {
      if (value === "") sessionStorage.removeItem(storeKey);
      else sessionStorage.setItem(storeKey, value);
    } catch (error) { /* storage is off: keep it in the page only */ }
    update();
  };
  update();
  return el("form", { class: "panel", "aria-labelledby": "auth-title", onsubmit: (event) => {
    event.preventDefault();
    set(input.value.trim());
    input.value = "";
  } },
  el("h2", { id: "auth-title", text: "Authorize" }),
  el("label", { for: "token" }, "API token or JWT ", el("span", { class: "hint" }, "sent in the ", el("code", { text: tokenHeader }), " header")),
  el("div", { class: "row" }, input,
    el("button", { type: "submit", text: "Authorize" }),
    el("button", { type: "button", class: "secondary", text: "Forget the token", onclick: () => set("") })),
  status);
}

function eventsView(events) {
  return el("section", { id: "events", "aria-labelledby": "events-title" },
    el("h2", { id: "events-title", text: "Events (" + events.length + ")" }),
    el("p", { class: "note", text: "What the service emits for its subscribers (not callable here)." }),
    el("ul", { class: "events", "aria-label": "Events" }, ...events.map((event) => el("li", null,
      el("code", { class: "mono", text: text(event.name) }), " ",
      el("code", { class: "signature", text: typeName(event.schema) }),
      typeof event.description === "string" ? el("p", { class: "note", text: event.description }) : null))));
}

// openapi()'s document, at a URL relative to the endpoint; only one on the page's own origin is linked.
function openApiLink(relative) {
  if (typeof relative !== "string") return null;
  let url;
  try {
    url = new URL(relative, rpcUrl);
  } catch {
    return null;
  }
  return url.origin === location.origin ? el("a", { href: url.href, text: "OpenAPI document (JSON)" }) : null;
}

function render(openrpc) {
  const info = isObject(openrpc.info) ? openrpc.info : {};
  const methods = Array.isArray(openrpc.methods) ? openrpc.methods.filter(isObject) : [];
  const events = Array.isArray(openrpc["x-events"]) ? openrpc["x-events"].filter(isObject) : [];
  const title = text(info.title ?? "service");
  document.title = title + " · API explorer";
  const download = URL.createObjectURL(new Blob([JSON.stringify(openrpc, null, 2) + "\n"], { type: "application/json" }));
  app.replaceChildren(
    el("header", null,
      el("p", { class: "kicker", text: "JSON-RPC 2.0 API explorer" }),
      el("h1", null, el("span", { text: title }), info.version === undefined ? null : el("span", { class: "version", text: "version " + text(info.version) })),
      typeof info.description === "string" ? el("p", { class: "lead", text: info.description }) : null,
      el("p", { class: "links" },
        el("span", null, "Endpoint ", el("code", { text: rpcUrl })),
        el("a", { href: download, download: "openrpc.json", text: "Download the OpenRPC document" }),
        documentUrl === null ? null : el("a", { href: documentUrl, text: "OpenRPC document (JSON)" }),
        openApiLink(openrpc["x-openapi"]))),
    authView(),
    el("section", { id: "methods", "aria-labelledby": "methods-title" },
      el("h2", { id: "methods-title", text: "Methods (" + methods.length + ")" }),
      ...methods.map(methodView)),
    ...(events.length === 0 ? [] : [eventsView(events)]),
    batchView());
  app.removeAttribute("aria-busy");
}

post({ jsonrpc: "2.0", method: "rpc.discover", id: 0 }).then((answer) => {
  if (answer.failure === undefined && isObject(answer.body) && isObject(answer.body.result)) return render(answer.body.result);
  app.removeAttribute("aria-busy");
  app.replaceChildren(el("h1", { text: "API explorer" }), el("p", { class: "status bad", role: "alert", text: "Could not read rpc.discover from " + rpcUrl + "." }), el("div", { class: "output" }));
  showAnswer(app.lastChild, answer);
});
})();
`;
