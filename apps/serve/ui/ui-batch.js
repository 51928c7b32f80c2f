// The /ui page's batch tab (docs/web-ui.md): a CSV file scored with
// POST /predict (text/csv), answered as a table with each row's error, a
// histogram of the probabilities and a CSV of the results to download.
//
// Contracts:
// - The file is read in the browser and sent in chunks of the model's
//   limits.max_batch_rows (GET /model), each with the file's header row.
// - The server answers a chunk whole or refuses it whole (422 naming each bad
//   record as ["body", <row in the chunk, from 0>, <field>]); the page then
//   marks those rows with the server's messages and sends the chunk again
//   without them, so every good row is answered. A 422 naming no row (a
//   missing column) stops the run with its message.
// - Rows in the table and the download are numbered as in the file, from 1
//   (the header is not counted).
"use strict";

(() => {
  const {api, state, errorText, riskLevel, isBinary, el, fmt} = window.StrokeUi;
  const $ = (id) => document.getElementById(id);
  let downloadUrl = null;

  // RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks.
  function parseCsv(text) {
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const rows = [];
    let row = [], cell = "", quoted = false;
    for (let i = 0; i < text.length; ++i) {
      const c = text[i];
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') { cell += '"'; ++i; } else if (c === '"') quoted = false; else cell += c;
      } else if (c === '"') {
        quoted = true;
      } else if (c === ",") {
        row.push(cell); cell = "";
      } else if (c === "\n" || c === "\r") {
        if (c === "\r" && text[i + 1] === "\n") ++i;
        row.push(cell); rows.push(row); row = []; cell = "";
      } else {
        cell += c;
      }
    }
    if (cell !== "" || row.length) { row.push(cell); rows.push(row); }
    return rows.filter((r) => r.length > 1 || r[0] !== "");
  }

  const csvCell = (v) => {
    const s = v === undefined || v === null ? "" : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const csvLine = (cells) => cells.map(csvCell).join(",");

  // Scores `rows` (arrays of cells) under `header`; returns one result per
  // row: {answer} or {error}.
  async function scoreChunk(header, rows) {
    const results = rows.map(() => ({}));
    let pending = rows.map((_, i) => i);  // indexes into rows still to answer
    for (let round = 0; round < 4 && pending.length; ++round) {
      const body = [csvLine(header), ...pending.map((i) => csvLine(rows[i]))].join("\r\n") + "\r\n";
      const res = await api(`${state.prefix}/predict`, {method: "POST", body, type: "text/csv"});
      if (res.status === 200) {
        const answers = Array.isArray(res.body.predictions) ? res.body.predictions : [res.body];
        pending.forEach((i, k) => { results[i].answer = answers[k]; });
        return results;
      }
      if (res.status !== 422 || !Array.isArray(res.body.detail)) throw new Error(errorText(res));
      const bad = new Map();
      for (const d of res.body.detail) {
        if (!Number.isInteger(d.loc[1])) {
          if (d.loc.length >= 2) throw new Error(errorText(res));  // the file's shape: no row to blame
          continue;  // "... and N more": found in the next round
        }
        const i = pending[d.loc[1]];
        const field = d.loc.slice(2).join(".");
        bad.set(i, [...(bad.get(i) || []), field ? `${field}: ${d.msg}` : d.msg]);
      }
      if (!bad.size) throw new Error(errorText(res));
      for (const [i, messages] of bad) results[i].error = messages.join("; ");
      pending = pending.filter((i) => !bad.has(i));
    }
    for (const i of pending) results[i].error = results[i].error || "not answered";
    return results;
  }

  async function run(file) {
    const status = $("batch-status");
    $("batch-download").hidden = true;
    $("batch-table").replaceChildren();
    StrokeCharts.clear($("batch-histogram"));
    if (!state.model) { status.textContent = "The model is not loaded yet."; return; }
    const rows = parseCsv(await file.text());
    if (rows.length < 2) { status.textContent = "The file has no data rows (the first row must name the inputs)."; return; }
    const [header, ...data] = rows;
    const limit = state.model.limits?.max_batch_rows || 1000;
    const results = [];
    try {
      for (let at = 0; at < data.length; at += limit) {
        status.textContent = `Scoring rows ${at + 1}–${Math.min(at + limit, data.length)} of ${data.length}…`;
        results.push(...await scoreChunk(header, data.slice(at, at + limit)));
      }
    } catch (error) {
      status.textContent = `The file was refused: ${error.message}`;
      return;
    }
    const failed = results.filter((r) => r.error).length;
    status.textContent = `${data.length - failed} of ${data.length} rows answered` +
      (failed ? `; ${failed} refused (their reason is in the table).` : ".");
    render(header, data, results);
  }

  function outputsOf(answer) {
    const m = state.model;
    if (!answer) return {score: "", label: "", risk: "", warnings: ""};
    const score = m.task === "regression" ? answer.value : answer.probability;
    return {
      score,
      label: answer.label ?? answer.prediction ?? "",
      risk: isBinary(m) ? riskLevel(answer.probability, m.threshold).level : "",
      warnings: (answer.warnings || []).map((w) => (w.field ? `${w.field}: ${w.message}` : w.message)).join("; "),
    };
  }

  function render(header, data, results) {
    const regression = state.model.task === "regression";
    const scoreName = regression ? "value" : "probability";
    const table = $("batch-table");
    const head = el("tr");
    for (const h of ["row", scoreName, "class", "risk", "warnings", "error", ...header]) head.append(el("th", {scope: "col"}, h));
    const thead = el("thead");
    thead.append(head);
    const tbody = el("tbody");
    const csv = [csvLine(["row", ...header, scoreName, "class", "risk", "warnings", "error"])];
    results.forEach((r, i) => {
      const o = outputsOf(r.answer);
      const tr = el("tr", {class: r.error ? "row-error" : ""});
      tr.append(el("th", {scope: "row"}, String(i + 1)));
      tr.append(el("td", {class: "num", "data-value": o.score === "" ? undefined : String(o.score)},
                   o.score === "" ? "" : fmt(o.score, 4)));
      tr.append(el("td", {}, String(o.label)), el("td", {}, o.risk), el("td", {class: "warn"}, o.warnings));
      tr.append(el("td", {class: "err"}, r.error || ""));
      for (const cell of data[i]) tr.append(el("td", {}, cell));
      tbody.append(tr);
      csv.push(csvLine([i + 1, ...data[i], o.score, o.label, o.risk, o.warnings, r.error || ""]));
    });
    table.replaceChildren(el("caption", {class: "muted"}, `${results.length} rows`), thead, tbody);

    if (downloadUrl) URL.revokeObjectURL(downloadUrl);
    downloadUrl = URL.createObjectURL(new Blob([csv.join("\r\n") + "\r\n"], {type: "text/csv"}));
    const link = $("batch-download");
    link.href = downloadUrl;
    link.hidden = false;

    const scores = results.map((r) => outputsOf(r.answer).score).filter(Number.isFinite);
    histogram(scores, regression);
  }

  function histogram(scores, regression) {
    const bins = 20;
    let lo = 0, hi = 1;
    if (regression && scores.length) { lo = Math.min(...scores); hi = Math.max(...scores) || lo + 1; }
    const width = (hi - lo) / bins || 1;
    const counts = new Array(bins).fill(0);
    for (const s of scores) counts[Math.min(bins - 1, Math.max(0, Math.floor((s - lo) / width)))] += 1;
    const labels = counts.map((_, i) => `${fmt(lo + i * width, 2)}–${fmt(lo + (i + 1) * width, 2)}`);
    const t = state.model.threshold;
    const summary = `${scores.length} answered rows by ${regression ? "value" : "probability"}` +
      (regression ? "." : `; ${scores.filter((p) => p >= t).length} at or above the threshold ${fmt(t)}.`);
    StrokeCharts.bars($("batch-histogram"), {labels, series: [{name: "rows", values: counts, highlight: -1}],
                                             xTitle: regression ? "value" : "probability", yTitle: "rows", summary});
  }

  $("batch-file").addEventListener("change", (event) => {
    const file = event.target.files[0];
    if (file) run(file);
  });
  document.addEventListener("stroke:model", () => {
    $("batch-status").textContent = "";
    $("batch-table").replaceChildren();
    $("batch-download").hidden = true;
    StrokeCharts.clear($("batch-histogram"));
    $("batch-file").value = "";
  });
})();
