// The /ui page's batch tab (docs/web-ui.md): a CSV file scored with
// POST /predict (text/csv), answered as a table with each row's error, a
// histogram of the probabilities and a CSV of the results to download.
//
// Contracts:
// - The file is read in the browser and sent in chunks within the model's
//   limits (GET /model: max_batch_rows rows, nine tenths of max_body_bytes),
//   each with the header row; only the columns the model reads are sent
//   (an id or target column stays in the table and the download).
// - The server answers a chunk whole or refuses it whole (422 naming each bad
//   record as ["body", <row in the chunk, from 0>, <field>], up to the
//   server's cap on messages); the page then marks those rows with the
//   server's messages and sends the chunk again without them, as often as
//   it takes, so every good row is answered. A 422 naming no row (a missing
//   column) stops the run with its message.
// - Cells of the download that a spreadsheet would run as formulas get a
//   leading ' (CSV injection).
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

  // A download cell (RFC 4180 quoting). Text a spreadsheet would run as a
  // formula (starting with = + - @, tab or CR, and not a number) gets a
  // leading ' (OWASP's advice on CSV injection).
  const quote = (s) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const csvCell = (v) => {
    let s = v === undefined || v === null ? "" : String(v);
    if (/^[=+\-@\t\r]/.test(s) && !Number.isFinite(Number(s))) s = `'${s}`;
    return quote(s);
  };
  const csvLine = (cells) => cells.map(csvCell).join(",");  // the download
  const requestLine = (cells) => cells.map((c) => quote(String(c))).join(",");  // what the server reads
  const utf8Bytes = (text) => new TextEncoder().encode(text).length;

  // Scores `rows` (arrays of the model's input cells, in `header`'s order);
  // returns one result per row: {answer} or {error}. Each 422 names rows that
  // are then answered with their messages and left out of the next request,
  // until the rest is answered: every good row is answered.
  async function scoreChunk(header, rows) {
    const results = rows.map(() => ({}));
    let pending = rows.map((_, i) => i);  // indexes into rows still to answer
    while (pending.length) {
      const body = [requestLine(header), ...pending.map((i) => requestLine(rows[i]))].join("\r\n") + "\r\n";
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
    return results;
  }

  // Splits `rows` into chunks the server takes: at most the model's
  // limits.max_batch_rows rows and nine tenths of limits.max_body_bytes
  // (GET /model) a request.
  function chunksOf(header, rows) {
    const limits = state.model.limits || {};
    const maxRows = limits.max_batch_rows || 1000, maxBytes = 0.9 * (limits.max_body_bytes || 1 << 20);
    const chunks = [];
    let chunk = [], bytes = utf8Bytes(requestLine(header)) + 2;
    for (let i = 0; i < rows.length; ++i) {
      const size = utf8Bytes(requestLine(rows[i])) + 2;
      if (chunk.length && (chunk.length === maxRows || bytes + size > maxBytes)) {
        chunks.push(chunk);
        chunk = [];
        bytes = utf8Bytes(requestLine(header)) + 2;
      }
      chunk.push(i);
      bytes += size;
    }
    if (chunk.length) chunks.push(chunk);
    return chunks;
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
    // Only the model's inputs are sent; other columns (an id, the target)
    // stay in the table and the download, so results join back to the file.
    const inputs = new Set(state.fields.map((f) => f.name));
    const sent = header.map((name, c) => (inputs.has(name) ? c : -1)).filter((c) => c >= 0);
    const sentHeader = sent.map((c) => header[c]);
    const sentRows = data.map((row) => sent.map((c) => row[c] ?? ""));
    const results = new Array(data.length);
    try {
      let done = 0;
      for (const chunk of chunksOf(sentHeader, sentRows)) {
        status.textContent = `Scoring rows ${done + 1}–${done + chunk.length} of ${data.length}…`;
        const answered = await scoreChunk(sentHeader, chunk.map((i) => sentRows[i]));
        chunk.forEach((i, k) => { results[i] = answered[k]; });
        done += chunk.length;
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
      (!isBinary(state.model) ? "." : `; ${scores.filter((p) => p > t).length} above the threshold ${fmt(t)}.`);
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
