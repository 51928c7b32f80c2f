// stroke-serve's page for people (GET /ui; docs/web-ui.md): a form generated
// from the served model's schema (GET /model), its answer with the TreeSHAP
// explanation (POST /explain), a value against the training distribution
// (GET /features/{name}/distribution), and the model's card. ui-batch.js adds
// the CSV tab, ui-charts.js the charts. Plain JS, no framework, no build step.
//
// Contracts:
// - Every API call goes through StrokeUi.api: same origin, relative to where
//   /ui is served (so a proxy's path prefix works), with
//   `X-Requested-With: XMLHttpRequest` (the server then sends no
//   WWW-Authenticate challenge, so browsers show no login dialog of their own)
//   and, once the visitor signed in, `Authorization`. On a 401 the sign-in
//   box opens and the call is retried with what is entered. Credentials are
//   kept in memory and in this tab's sessionStorage, never in a URL or cookie.
// - The page holds no model data: all of it comes from the API.
// - When the server serves several models (GET /models), #model-picker
//   chooses the routes' prefix /models/{model}[/versions/{version}]; after a
//   change the page rebuilds and dispatches "stroke:model" on document.
//
// Stable element ids (for tests):
//   #record-form  the form; #fields holds one block per input
//   #field-<name> the control of input <name> (number box, select or switch
//                 checkbox); characters outside [A-Za-z0-9_-] in <name> become
//                 "_" ("ALCOHOL CONSUMING" -> #field-ALCOHOL_CONSUMING); every
//                 control also has data-field="<exact name>"
//   #field-<name>-slider  the slider of a number input with limits
//   #input-<name> the block of an input (class "flagged": outside the training
//                 range; "invalid": refused), #warning-<name> its message
//   #submit-record, #reset-record, #form-error
//   #answer (aria-live), #answer-probability (data-value: the API's number,
//   unrounded), #answer-class, #answer-risk,
//   #answer-message, #answer-warnings
//   #explanation-chart, #distribution-input (select), #distribution-chart
//   #model-card, #model-picker, #page-status, #signout
//   #tab-record, #tab-batch, #panel-record, #panel-batch
//   #batch-file, #batch-status, #batch-table (a tbody row per CSV row, class
//   "row-error" when refused; td.num data-value: the unrounded answer),
//   #batch-histogram, #batch-download
//   #signin (dialog), #signin-kind-password, #signin-kind-key, #signin-user,
//   #signin-password, #signin-key, #signin-submit, #signin-error
"use strict";

window.StrokeUi = (() => {
  const $ = (id) => document.getElementById(id);
  const base = location.pathname.replace(/\/ui\/?$/, "");  // "" unless behind a path prefix
  const storageKey = "stroke-serve.authorization";
  const state = {
    prefix: "",          // "" (the default model) or /models/{m}[/versions/{v}]
    model: null,         // GET /model's answer
    fields: [],          // model.inputs
    authorization: sessionStorage.getItem(storageKey) || "",
    lastRecord: null,
    lastAnswer: null,
  };
  const safeId = (name) => name.replace(/[^A-Za-z0-9_-]/g, "_");
  const fmt = (x, digits = 3) => (Number.isFinite(x) ? Number(x.toFixed(digits)).toString() : String(x));
  const percent = (p) => `${(p * 100).toFixed(1)} %`;
  const isBinary = (model) => /^binary/.test(model.task);  // "binary_classification"

  function el(tag, attributes = {}, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attributes)) {
      if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? "" : v);
    }
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function status(text) { $("page-status").textContent = text; }

  // ---- the API, with the sign-in box

  let pendingSignIn = null;  // one sign-in for every call that got a 401 meanwhile

  // fetch(base + path) with the page's headers; resolves to {status, body
  // (parsed JSON, or text), headers}. A 401 asks for credentials and retries.
  async function api(path, {method = "GET", body, type} = {}) {
    for (let attempt = 0; ; ++attempt) {
      const headers = {"X-Requested-With": "XMLHttpRequest", Accept: "application/json"};
      if (state.authorization) headers.Authorization = state.authorization;
      if (type) headers["Content-Type"] = type;
      const res = await fetch(base + path, {method, body, headers, credentials: "omit", cache: "no-store"});
      const text = await res.text();
      let parsed = text;
      try { parsed = JSON.parse(text); } catch { /* not JSON: kept as text */ }
      // 429 after credentials were tried: too many failed sign-ins from this
      // address (--max-failed-logins); the box stays open to try again later.
      const throttled = res.status === 429 && (attempt > 0 || state.authorization);
      if (res.status !== 401 && !throttled) return {status: res.status, body: parsed, headers: res.headers};
      if (throttled) {
        await signIn(`Too many failed sign-ins from this address: try again in ${res.headers.get("Retry-After") ? `${res.headers.get("Retry-After")} s` : "a minute"}.`);
      } else {
        await signIn(attempt > 0 || state.authorization ? "Those credentials were not accepted." : "");
      }
    }
  }

  function signIn(error) {
    if (!pendingSignIn) {
      pendingSignIn = new Promise((resolve) => {
        const dialog = $("signin");
        $("signin-error").textContent = error;
        dialog.onclose = null;
        $("signin-form").onsubmit = (event) => {
          event.preventDefault();
          const useKey = $("signin-kind-key").checked;
          const user = $("signin-user").value, password = $("signin-password").value, key = $("signin-key").value.trim();
          if (useKey ? !key : !user) {
            $("signin-error").textContent = useKey ? "Enter the API key." : "Enter the user name.";
            return;
          }
          state.authorization = useKey ? `Bearer ${key}` : `Basic ${base64Utf8(`${user}:${password}`)}`;
          sessionStorage.setItem(storageKey, state.authorization);
          $("signin-password").value = "";
          $("signin-key").value = "";
          $("signout").hidden = false;
          dialog.close();
          pendingSignIn = null;
          resolve();
        };
        if (!dialog.open) dialog.showModal();
        ($("signin-kind-key").checked ? $("signin-key") : $("signin-user")).focus();
      });
    } else {
      $("signin-error").textContent = error;
    }
    return pendingSignIn;
  }

  function base64Utf8(text) {
    return btoa(Array.from(new TextEncoder().encode(text), (b) => String.fromCharCode(b)).join(""));
  }

  function setupSignIn() {
    const toggle = () => {
      const key = $("signin-kind-key").checked;
      $("signin-key-fields").hidden = !key;
      $("signin-password-fields").hidden = key;
    };
    $("signin-kind-key").addEventListener("change", toggle);
    $("signin-kind-password").addEventListener("change", toggle);
    $("signin").addEventListener("cancel", (event) => event.preventDefault());  // Escape: the page needs an answer
    $("signout").hidden = !state.authorization;
    $("signout").addEventListener("click", () => {
      sessionStorage.removeItem(storageKey);
      state.authorization = "";
      location.reload();
    });
  }

  // An error answer as one line: {"error"} or FastAPI's {"detail": [...]}.
  function errorText(res) {
    const b = res.body;
    if (b && typeof b === "object") {
      if (b.error) return `${res.status}: ${b.error}`;
      if (Array.isArray(b.detail)) {
        const where = (d) => d.loc.slice(1).join(".");  // "" for the body as a whole
        return `${res.status}: ${b.detail.map((d) => (where(d) ? `${where(d)}: ${d.msg}` : d.msg)).join("; ")}`;
      }
    }
    return `${res.status}: ${String(b).slice(0, 200)}`;
  }

  // ---- the models (ui-card.js draws the model's card on "stroke:model")

  async function loadModels() {
    const res = await api("/models");
    const picker = $("model-picker");
    picker.replaceChildren();
    if (res.status !== 200 || !Array.isArray(res.body.models)) return;
    const options = [];
    for (const m of res.body.models) {
      const ready = (m.versions || []).filter((v) => v.state === "READY");
      if (!ready.length) continue;
      const isDefault = m.name === res.body.default_model;
      options.push({label: `${m.name} (default version)`, prefix: `/models/${encodeURIComponent(m.name)}`, selected: isDefault});
      if (ready.length > 1) {
        for (const v of ready) {
          options.push({label: `${m.name} version ${v.version}`,
                        prefix: `/models/${encodeURIComponent(m.name)}/versions/${encodeURIComponent(v.version)}`});
        }
      }
    }
    if (options.length < 2) return;  // one model, one version: nothing to choose
    for (const o of options) picker.append(el("option", {value: o.prefix, selected: o.selected}, o.label));
    $("model-picker-box").hidden = false;
    state.prefix = picker.value;
    picker.addEventListener("change", () => {
      state.prefix = picker.value;
      loadModel();
    });
  }

  async function loadModel() {
    status("Loading the model…");
    const res = await api(`${state.prefix}/model`);
    if (res.status !== 200) {
      status(`Could not read the model (GET ${state.prefix}/model): ${errorText(res)}`);
      return;
    }
    state.model = res.body;
    state.fields = res.body.inputs || [];
    state.lastAnswer = null;
    state.lastRecord = null;
    const served = res.body.served || {name: res.body.name, version: res.body.version};
    document.title = `${served.name}: try the model (stroke-serve)`;
    $("page-title").textContent = `${served.name}, version ${served.version}`;
    buildForm();
    clearAnswer();
    fillDistributionPicker();
    status("");
    $("submit-record").disabled = false;
    document.dispatchEvent(new CustomEvent("stroke:model", {detail: state.model}));
  }

  // ---- the form, one block per input

  function fieldDefault(f) {
    if (f.type === "boolean") return false;
    if (f.type === "category") return f.nullable && f.impute === null ? "" : f.categories[0];
    if (f.known_codes && f.known_codes.length) return f.known_codes[0];
    const r = f.training_range || f.limits || {};
    if (!Number.isFinite(r.min) || !Number.isFinite(r.max)) return Number.isFinite(r.min) ? r.min : 0;
    const mid = (r.min + r.max) / 2;
    return f.type === "integer" ? Math.round(mid) : Math.round(mid * 10) / 10;
  }

  function buildForm() {
    const box = $("fields");
    box.replaceChildren();
    for (const f of state.fields) box.append(fieldBlock(f));
    $("form-error").textContent = "";
  }

  function fieldBlock(f) {
    const id = safeId(f.name);
    const block = el("div", {class: "field", id: `input-${id}`, "data-field": f.name});
    const hintId = `hint-${id}`, warningId = `warning-${id}`;
    const hints = [];
    if (f.description) hints.push(f.description);
    const range = f.training_range, limits = f.limits;
    if (range) hints.push(`trained on ${fmt(range.min)} – ${fmt(range.max)}`);
    if (limits) hints.push(`allowed ${fmt(limits.min ?? -Infinity)} – ${fmt(limits.max ?? Infinity)}`);
    if (f.nullable) hints.push(f.impute === null || f.impute === undefined ? "may be left empty" : `empty: imputed as ${f.impute}`);
    const describedBy = `${hintId} ${warningId}`;
    const common = {id: `field-${id}`, name: f.name, "data-field": f.name, "aria-describedby": describedBy};
    let control;
    if (f.type === "boolean") {
      block.classList.add("switch-field");
      control = el("input", {...common, type: "checkbox", role: "switch"});
      const label = el("label", {for: common.id});
      label.append(control, document.createTextNode(f.name));
      block.append(label);
    } else {
      block.append(el("label", {for: common.id}, f.name));
      if (f.type === "category" || (f.known_codes && f.known_codes.length)) {
        control = el("select", common);
        if (f.nullable) control.append(el("option", {value: ""}, "(missing)"));
        for (const c of f.type === "category" ? f.categories : f.known_codes) control.append(el("option", {value: c}, String(c)));
        block.append(control);
      } else {
        control = el("input", {...common, type: "number", inputmode: "decimal", step: f.type === "integer" ? "1" : "any",
                               min: limits?.min, max: limits?.max, required: !f.nullable,
                               placeholder: f.nullable ? "empty = missing" : undefined});
        const row = el("div", {class: "range-row"});
        const lo = limits?.min ?? range?.min, hi = limits?.max ?? range?.max;
        if (Number.isFinite(lo) && Number.isFinite(hi)) {
          const slider = el("input", {type: "range", id: `${common.id}-slider`, min: lo, max: hi,
                                      step: f.type === "integer" ? "1" : String((hi - lo) / 1000),
                                      "aria-label": `${f.name} (slider)`, "aria-describedby": describedBy});
          slider.addEventListener("input", () => {
            control.value = f.type === "integer" ? slider.value : fmt(Number(slider.value), 2);
            checkField(f);
          });
          control.addEventListener("input", () => { if (control.value !== "") slider.value = control.value; });
          row.append(slider);
        }
        row.append(control);
        block.append(row);
      }
    }
    block.append(el("span", {class: "hint", id: hintId}, hints.join(" · ")));
    block.append(el("span", {class: "warning", id: warningId}));
    control.addEventListener("input", () => checkField(f));
    control.addEventListener("change", () => checkField(f));
    setValue(f, control, fieldDefault(f));
    return block;
  }

  function controlOf(f) { return $(`field-${safeId(f.name)}`); }

  function setValue(f, control, value) {
    if (f.type === "boolean") control.checked = Boolean(value);
    else control.value = value === null ? "" : String(value);
    // The slider is the control's sibling: found even before the block is in the page.
    const slider = control.parentElement?.querySelector('input[type="range"]');
    if (slider && value !== "" && value !== null) slider.value = value;
  }

  // The record's value of `f` from its control: a number, boolean, string or null.
  function readValue(f) {
    const control = controlOf(f);
    if (f.type === "boolean") return control.checked;
    if (control.value === "") return control.validity?.badInput ? NaN : (f.nullable ? null : undefined);
    if (f.type === "category") return control.value;
    return Number(control.value);
  }

  // Flags the field: "invalid" (refused: outside its limits, missing),
  // "flagged" (outside the training range, or the server warned), or clear.
  function mark(f, kind, message) {
    const id = safeId(f.name);
    const block = $(`input-${id}`);
    block.classList.toggle("invalid", kind === "invalid");
    block.classList.toggle("flagged", kind === "flagged");
    controlOf(f).setAttribute("aria-invalid", kind === "invalid" ? "true" : "false");
    $(`warning-${id}`).textContent = message || "";
  }

  // Client-side check from the schema; returns false when the value would be refused.
  function checkField(f) {
    const v = readValue(f);
    if (v === undefined) { mark(f, "invalid", "Required."); return false; }
    if (typeof v === "number") {
      if (!Number.isFinite(v)) { mark(f, "invalid", "Enter a number."); return false; }
      const l = f.limits || {};
      if ((Number.isFinite(l.min) && v < l.min) || (Number.isFinite(l.max) && v > l.max)) {
        mark(f, "invalid", `Must be in [${fmt(l.min ?? -Infinity)}, ${fmt(l.max ?? Infinity)}].`);
        return false;
      }
      if (f.type === "integer" && !Number.isInteger(v)) { mark(f, "invalid", "Must be a whole number."); return false; }
      const r = f.training_range || {};
      if ((Number.isFinite(r.min) && v < r.min) || (Number.isFinite(r.max) && v > r.max)) {
        mark(f, "flagged", `Outside the training range (${fmt(r.min)} – ${fmt(r.max)}): the model saw no such value; treat the answer with care.`);
        return true;
      }
    }
    mark(f, "", "");
    return true;
  }

  function readRecord() {
    let firstBad = null;
    const record = {};
    for (const f of state.fields) {
      if (!checkField(f) && !firstBad) firstBad = f;
      record[f.name] = readValue(f);
    }
    return {record, firstBad};
  }

  // ---- the answer

  function clearAnswer() {
    $("answer-body").hidden = true;
    $("answer-empty").hidden = false;
    StrokeCharts.clear($("explanation-chart"));
    StrokeCharts.clear($("distribution-chart"));
  }

  // The risk level of probability `p` against the model's threshold t:
  // high above t (the positive class, as the model predicts it: p > t),
  // moderate from t/2, else low.
  function riskLevel(p, threshold) {
    if (!Number.isFinite(p)) return {level: "", text: "—"};
    const t = Number.isFinite(threshold) ? threshold : 0.5;
    if (p > t) return {level: "high", text: "High", note: `above the threshold ${fmt(t)}`};
    if (p >= t / 2) return {level: "moderate", text: "Moderate", note: `from ${fmt(t / 2)}, up to the threshold ${fmt(t)}`};
    return {level: "low", text: "Low", note: `below ${fmt(t / 2)} (threshold ${fmt(t)})`};
  }

  async function submitRecord(event) {
    event.preventDefault();
    $("form-error").textContent = "";
    const {record, firstBad} = readRecord();
    if (firstBad) {
      $("form-error").textContent = `Check ${firstBad.name}: ${$(`warning-${safeId(firstBad.name)}`).textContent}`;
      controlOf(firstBad).focus();
      return;
    }
    const button = $("submit-record");
    button.disabled = true;
    try {
      const res = await api(`${state.prefix}/explain`, {method: "POST", body: JSON.stringify(record), type: "application/json"});
      if (res.status === 422 && Array.isArray(res.body.detail)) {
        for (const d of res.body.detail) {
          const f = state.fields.find((x) => x.name === d.loc[d.loc.length - 1]);
          if (f) mark(f, "invalid", d.msg);
        }
        $("form-error").textContent = errorText(res);
        return;
      }
      if (res.status !== 200) {
        $("form-error").textContent = `The server answered ${errorText(res)}`;
        return;
      }
      state.lastRecord = record;
      state.lastAnswer = res.body;
      showAnswer(res.body);
      showExplanation(res.body, record);
      chooseDistributionInput(res.body);
      showDistribution();
    } catch (error) {
      $("form-error").textContent = `No answer from the server: ${error.message}`;
    } finally {
      button.disabled = false;
    }
  }

  function showAnswer(a) {
    const m = state.model;
    const probability = $("answer-probability").previousElementSibling;
    if (m.task === "regression") {
      probability.textContent = "Value";
      $("answer-probability").textContent = fmt(a.value, 4);
      $("answer-probability").dataset.value = String(a.value);
    } else {
      probability.textContent = "Probability";
      $("answer-probability").textContent = percent(a.probability);
      $("answer-probability").dataset.value = String(a.probability);
    }
    $("answer-class").textContent = a.label ?? (a.prediction ?? "—");
    const risk = isBinary(m) ? riskLevel(a.probability, m.threshold) : {level: "", text: "—"};
    $("answer-risk").replaceChildren(risk.text, ...(risk.note ? [" ", el("span", {class: "risk-note"}, risk.note)] : []));
    $("answer-risk").className = risk.level ? `risk-${risk.level}` : "";
    $("answer-message").textContent = a.message || "";
    const list = $("answer-warnings");
    list.replaceChildren();
    // Server warnings (e.g. outside the training range) shown on their fields too.
    for (const w of a.warnings || []) {
      list.append(el("li", {}, w.field ? `${w.field}: ${w.message}` : w.message));
      const f = state.fields.find((x) => x.name === w.field);
      if (f) mark(f, "flagged", w.message);
    }
    $("answer-empty").hidden = true;
    $("answer-body").hidden = false;
  }

  // The explanation of the predicted class (multiclass answers one per class).
  function explanationOf(a) {
    const e = a.explanation;
    if (Array.isArray(e)) return e.find((x) => x.class === a.prediction) || e[0];
    return e;
  }

  function showExplanation(a, record) {
    const e = explanationOf(a);
    if (!e || !e.by_input) return;
    const entries = Object.entries(e.by_input).sort((x, y) => Math.abs(y[1]) - Math.abs(x[1]));
    const shown = entries.slice(0, 12), rest = entries.slice(12);
    if (rest.length) shown.push([`${rest.length} other inputs`, rest.reduce((s, [, c]) => s + c, 0)]);
    const label = (name) => (name in record ? `${name} = ${record[name] === null ? "missing" : record[name]}` : name);
    const steps = [{label: "expected value (average row)", from: 0, to: e.expected_value, kind: "base",
                    note: `expected value ${fmt(e.expected_value)}`}];
    let running = e.expected_value;
    for (const [name, c] of shown) {
      steps.push({label: label(name), from: running, to: running + c, kind: c >= 0 ? "up" : "down",
                  note: `${c >= 0 ? "+" : ""}${fmt(c)} (${c >= 0 ? "raises" : "lowers"} the score)`});
      running += c;
    }
    const score = e.raw_score ?? running;
    steps.push({label: "this record's score", from: 0, to: score, kind: "total", note: `score ${fmt(score)}`});
    const unit = isBinary(state.model) && a.raw_margin !== undefined ? "raw score (log-odds)" : "raw score";
    const summary = `From the expected value ${fmt(e.expected_value)} to this record's score ${fmt(score)}; ` +
      `largest: ${shown.slice(0, 3).map(([n, c]) => `${n} ${c >= 0 ? "+" : ""}${fmt(c)}`).join(", ")}.`;
    $("explanation-note").textContent = `${summary} Red raises the score, blue lowers it.`;
    StrokeCharts.waterfall($("explanation-chart"), steps, {summary, axis: unit});
  }

  // ---- an input's value against the training rows, by class

  function fillDistributionPicker() {
    const select = $("distribution-input");
    select.replaceChildren();
    for (const f of state.fields) select.append(el("option", {value: f.name}, f.name));
    StrokeCharts.clear($("distribution-chart"));
    $("distribution-note").textContent = "Choose an input: its training rows per class, and where this record falls.";
  }

  // After an answer: the input that moved the score most.
  function chooseDistributionInput(a) {
    const e = explanationOf(a);
    if (!e || !e.by_input) return;
    const top = Object.entries(e.by_input).filter(([n]) => state.fields.some((f) => f.name === n))
      .sort((x, y) => Math.abs(y[1]) - Math.abs(x[1]))[0];
    if (top) $("distribution-input").value = top[0];
  }

  // The feature whose distribution shows input `name`, and this record's value
  // of it: the input itself, or for a category its one-hot column
  // "<name>_<category>" (the record's value is 1 there).
  function distributionFeature(name) {
    const f = state.fields.find((x) => x.name === name) || {};
    let value = state.lastRecord ? state.lastRecord[name] : readValue(f);
    if (f.type === "category") {
      return value === null || value === undefined ? {feature: name, value: null, category: true}
                                                   : {feature: `${name}_${value}`, value: 1, category: value};
    }
    if (typeof value === "boolean") value = value ? 1 : 0;
    return {feature: name, value};
  }

  async function showDistribution() {
    const name = $("distribution-input").value;
    if (!name) return;
    const {feature, value, category} = distributionFeature(name);
    const res = await api(`${state.prefix}/features/${encodeURIComponent(feature)}/distribution`);
    const chart = $("distribution-chart");
    if (res.status !== 200) {
      StrokeCharts.clear(chart);
      $("distribution-note").textContent = `No training distribution for ${feature}: ${errorText(res)}`;
      return;
    }
    const d = res.body, edges = d.edges;
    const unitBins = edges.every((x, i) => i === 0 || Math.abs(x - edges[i - 1] - 1) < 1e-9) &&
                     Math.abs(edges[0] - Math.round(edges[0]) + 0.5) < 1e-9;
    const binLabel = (i) => {
      if (!unitBins) return `${fmt(edges[i], 2)}–${fmt(edges[i + 1], 2)}`;
      const v = Math.round(edges[i] + 0.5);
      return typeof category === "string" && edges.length === 3 ? (v ? `${name} = ${category}` : `${name} ≠ ${category}`) : String(v);
    };
    const labels = edges.slice(1).map((_, i) => binLabel(i));
    let bin = -1;
    if (typeof value === "number") {
      for (let i = 0; i + 1 < edges.length; ++i) {
        if (value >= edges[i] && (value < edges[i + 1] || i + 2 === edges.length)) { bin = i; break; }
      }
    }
    const series = Object.entries(d.counts).map(([label, counts]) => {
      const total = counts.reduce((s, c) => s + c, 0) || 1;
      return {name: `${label} (${total} rows)`, values: counts.map((c) => c / total), highlight: bin};
    });
    const shown = typeof category === "string" ? category : value;
    const where = bin >= 0 ? `This record's ${name} (${shown}) is in bin ${labels[bin]}: ` +
      series.map((s) => `${percent(s.values[bin])} of ${s.name}`).join(", ") + "." :
      (typeof value === "number" ? `This record's ${name} (${shown}) is outside the training bins.` : "");
    $("distribution-note").textContent = `Share of each class's training rows per bin of ${name}. ${where}`;
    StrokeCharts.bars(chart, {labels, series, percent: true, xTitle: name, yTitle: "% of the class's rows",
                              summary: `${name} among the training rows, by class. ${where}`});
  }

  // ---- tabs (arrow keys move between them)

  function setupTabs() {
    const tabs = [$("tab-record"), $("tab-batch")];
    const select = (tab) => {
      for (const t of tabs) {
        const on = t === tab;
        t.setAttribute("aria-selected", on ? "true" : "false");
        t.tabIndex = on ? 0 : -1;
        $(t.getAttribute("aria-controls")).hidden = !on;
      }
      tab.focus();
    };
    tabs.forEach((tab, i) => {
      tab.addEventListener("click", () => select(tab));
      tab.addEventListener("keydown", (event) => {
        if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
          select(tabs[(i + (event.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length]);
          event.preventDefault();
        }
      });
    });
  }

  async function start() {
    setupSignIn();
    setupTabs();
    $("record-form").addEventListener("submit", submitRecord);
    $("record-form").addEventListener("reset", (event) => {
      event.preventDefault();
      buildForm();
      clearAnswer();
    });
    $("distribution-input").addEventListener("change", showDistribution);
    try {
      await loadModels();
      await loadModel();
    } catch (error) {
      status(`The server did not answer: ${error.message}`);
    }
  }

  start();
  return {api, state, errorText, riskLevel, isBinary, el, fmt, percent, status};
})();
