// The /ui page's charts (docs/web-ui.md): drawn with Chart.js (chart.umd.js,
// from npm at build time) when the server has it, and always given as a
// table too - inside a "Show the numbers" disclosure under a chart, or on
// its own when Chart.js is absent. Defines window.StrokeCharts:
//
//   StrokeCharts.available()                 -> whether Chart.js loaded
//   StrokeCharts.clear(container)            -> empties it (and destroys its chart)
//   StrokeCharts.table(header, rows, caption) -> a <table> node
//   StrokeCharts.waterfall(container, steps, {summary, axis})
//       steps: [{label, from, to, kind: "base" | "up" | "down" | "total", note}]
//   StrokeCharts.bars(container, {labels, series: [{name, values, highlight}], summary, xTitle, yTitle, percent})
//       highlight: the index of a bar to emphasize (e.g. the bin holding the record's value), or -1
//
// Each call replaces what `container` held (its chart is destroyed first).
"use strict";

window.StrokeCharts = (() => {
  const colors = {up: "#b3261e", down: "#0b57d0", base: "#767676", total: "#1a1a1a"};
  const seriesColors = ["#0b57d0", "#b3261e", "#146c2e", "#8a5300", "#6a1b9a"];
  const charts = new WeakMap();  // container -> its Chart

  const available = () => typeof window.Chart === "function";

  function el(tag, attributes = {}, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function reset(container) {
    const old = charts.get(container);
    if (old) old.destroy();
    charts.delete(container);
    container.replaceChildren();
  }

  const fmt = (x, digits = 3) => (Number.isFinite(x) ? Number(x.toFixed(digits)).toString() : "");

  // A table from a header row and rows of cells; numbers right-aligned.
  function table(header, rows, caption) {
    const t = el("table");
    if (caption) t.append(el("caption", {class: "muted"}, caption));
    const head = el("tr");
    for (const h of header) head.append(el("th", {scope: "col"}, h));
    const thead = el("thead");
    thead.append(head);
    t.append(thead);
    const body = el("tbody");
    for (const row of rows) {
      const tr = el("tr");
      row.forEach((cell, i) => {
        const td = el(i === 0 ? "th" : "td", i === 0 ? {scope: "row"} : {class: typeof cell === "number" ? "num" : ""});
        if (cell instanceof Node) td.append(cell); else td.textContent = typeof cell === "number" ? fmt(cell, 4) : cell;
        tr.append(td);
      });
      body.append(tr);
    }
    t.append(body);
    return t;
  }

  // Puts the table under the chart in a disclosure, or alone without Chart.js.
  function withTable(container, tableNode, drawn) {
    if (!drawn) {
      container.append(el("p", {class: "muted"}, "Charts need chart.umd.js (built from npm); the numbers:"), tableNode);
      return;
    }
    const details = el("details");
    details.append(el("summary", {}, "Show the numbers"), tableNode);
    container.append(details);
  }

  function canvasIn(container, height, summary) {
    const box = el("div", {class: "canvas-box"});
    box.style.height = `${height}px`;
    const canvas = el("canvas", {role: "img", "aria-label": summary});
    box.append(canvas);
    container.append(box);
    return canvas;
  }

  function waterfall(container, steps, {summary = "", axis = ""} = {}) {
    reset(container);
    const drawn = available();
    if (drawn) {
      const canvas = canvasIn(container, 40 + 26 * steps.length, summary);
      charts.set(container, new window.Chart(canvas, {
        type: "bar",
        data: {
          labels: steps.map((s) => s.label),
          datasets: [{
            data: steps.map((s) => (s.from === s.to ? [s.from - 1e-9, s.to] : [Math.min(s.from, s.to), Math.max(s.from, s.to)])),
            backgroundColor: steps.map((s) => colors[s.kind]),
            borderSkipped: false,
            barPercentage: 0.8,
          }],
        },
        options: {
          indexAxis: "y",
          maintainAspectRatio: false,
          animation: false,
          plugins: {
            legend: {display: false},
            tooltip: {callbacks: {label: (ctx) => steps[ctx.dataIndex].note}},
          },
          scales: {x: {title: {display: Boolean(axis), text: axis}}, y: {ticks: {autoSkip: false}}},
        },
      }));
    }
    const rows = steps.map((s) => [s.label, s.kind === "up" || s.kind === "down" ? s.to - s.from : s.to, s.to, bar(s)]);
    withTable(container, table(["", "contribution", "running total", ""], rows, summary), drawn);
  }

  // A small bar for the table: width proportional to the step's size.
  function bar(step) {
    if (step.kind !== "up" && step.kind !== "down") return "";
    const b = el("span", {class: `bar ${step.kind}`, "aria-hidden": "true"});
    b.style.width = `${Math.min(100, Math.abs(step.to - step.from) * 40)}px`;
    return b;
  }

  function bars(container, {labels, series, summary = "", xTitle = "", yTitle = "", percent = false}) {
    reset(container);
    const drawn = available();
    const show = (v) => (percent ? `${fmt(v * 100, 1)} %` : fmt(v, 4));
    if (drawn) {
      const canvas = canvasIn(container, 260, summary);
      charts.set(container, new window.Chart(canvas, {
        type: "bar",
        data: {
          labels,
          datasets: series.map((s, i) => {
            const color = seriesColors[i % seriesColors.length];
            return {
              label: s.name,
              data: s.values.map((v) => (percent ? v * 100 : v)),
              backgroundColor: s.values.map((_, j) => (j === s.highlight ? color : `${color}80`)),
              borderColor: s.values.map((_, j) => (j === s.highlight ? "#1a1a1a" : color)),
              borderWidth: s.values.map((_, j) => (j === s.highlight ? 2 : 0)),
            };
          }),
        },
        options: {
          maintainAspectRatio: false,
          animation: false,
          plugins: {legend: {display: series.length > 1}},
          scales: {
            x: {title: {display: Boolean(xTitle), text: xTitle}},
            y: {beginAtZero: true, title: {display: Boolean(yTitle), text: yTitle}},
          },
        },
      }));
    }
    const rows = labels.map((label, j) => [
      series.some((s) => s.highlight === j) ? `${label} (this record)` : label,
      ...series.map((s) => show(s.values[j])),
    ]);
    withTable(container, table([xTitle, ...series.map((s) => s.name)], rows, summary), drawn);
  }

  return {available, waterfall, bars, table, clear: reset};
})();
