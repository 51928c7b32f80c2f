// The /ui page's model card (docs/web-ui.md): name and version as served,
// task, estimator, trees, what it was trained on (synthetic or real, rows),
// the decision threshold, classes and the test metrics, all from GET /model.
// Drawn into #model-card-body each time ui.js dispatches "stroke:model"
// (its detail: GET /model's answer).
"use strict";

(() => {
  const {isBinary, el} = window.StrokeUi;
  const $ = (id) => document.getElementById(id);

  function renderCard(m, served) {
    const facts = el("dl", {class: "model-facts"});
    const add = (term, value) => {
      if (value === undefined || value === null || value === "") return;
      facts.append(el("dt", {}, term), el("dd", {}, String(value)));
    };
    add("Name", served.name);
    add("Version", served.version);
    add("Task", m.task);
    add("Estimator", [m.estimator, m.library].filter(Boolean).join(", "));
    add("Trees", m.trees);
    const data = m.training_data || {};
    add("Trained on", `${data.synthetic ? "SYNTHETIC data" : "real data"}, ${data.rows ?? "?"} rows`);
    add("Data", data.description);
    add("Created", m.created);
    if (isBinary(m)) add("Decision threshold", `${m.threshold} (${(m.class_labels || [])[1] ?? "1"} when P is above it)`);
    if (m.class_labels && m.class_labels.length) add("Classes", m.class_labels.join(", "));
    const body = $("model-card-body");
    body.replaceChildren();
    if (m.description) body.append(el("p", {}, m.description));
    body.append(facts);
    const metrics = flattenMetrics(m.metrics || {});
    const test = metrics.filter(([k]) => /test/i.test(k));
    const shown = test.length ? test : metrics;
    if (shown.length) {
      body.append(el("h3", {}, test.length ? "Test metrics" : "Metrics"));
      body.append(StrokeCharts.table(["metric", "value"], shown.map(([k, v]) => [k, v])));
    }
  }

  // {"test": {"f1": 0.3}} or {"test_f1": 0.3} -> [["test f1", 0.3]]
  function flattenMetrics(metrics, prefix = "") {
    const out = [];
    for (const [k, v] of Object.entries(metrics)) {
      const name = (prefix ? `${prefix} ${k}` : k).replace(/[._]/g, " ");
      if (v && typeof v === "object") out.push(...flattenMetrics(v, name)); else out.push([name, v]);
    }
    return out;
  }

  document.addEventListener("stroke:model", (event) => {
    const m = event.detail;
    renderCard(m, m.served || {name: m.name, version: m.version});
  });
})();
