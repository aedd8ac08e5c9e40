// Render every chart of the page from its inline Vega-Lite spec; bars and points link to their
// tickets. Under each chart, buttons download it as PNG or SVG (drawn by Vega) and its data as
// CSV (the columns named in the spec's usermeta.csv, else every field but the links).
"use strict";

function csvCell(value) {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = "'" + text; // no formulas
  return /[",\r\n]/.test(text) ? '"' + text.replaceAll('"', '""') + '"' : text;
}

function csv(spec) {
  const rows = (spec.data && spec.data.values) || [];
  const fields = Object.keys(rows[0] || {}).filter((k) => k !== "url" && !k.endsWith("_url"));
  const columns = (spec.usermeta && spec.usermeta.csv) || fields.map((k) => [k, k]);
  const lines = [columns.map((c) => csvCell(c[1])).join(",")];
  for (const row of rows) lines.push(columns.map((c) => csvCell(row[c[0]])).join(","));
  return lines.join("\r\n") + "\r\n";
}

function save(url, name) {
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
}

function addActions(figure, view, spec) {
  const name = (spec.usermeta && spec.usermeta.file) || figure.dataset.chart;
  const kinds = {
    png: () => view.toImageURL("png", 2),
    svg: () => view.toImageURL("svg"),
    csv: async () => URL.createObjectURL(new Blob([csv(spec)], { type: "text/csv" })),
  };
  const bar = document.createElement("div");
  bar.className = "chart-actions";
  for (const [kind, make] of Object.entries(kinds)) {
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.download = kind;
    button.textContent = kind.toUpperCase();
    button.title = kind === "csv" ? "Download the chart's data as CSV" : "Download the chart as " + kind.toUpperCase();
    button.addEventListener("click", () =>
      make()
        .then((url) => save(url, name + "." + kind))
        .catch((error) => console.error("download", name, error)),
    );
    bar.appendChild(button);
  }
  figure.appendChild(bar);
}

document.addEventListener("DOMContentLoaded", () => {
  for (const figure of document.querySelectorAll("figure[data-chart]")) {
    const spec = JSON.parse(document.getElementById("spec-" + figure.dataset.chart).textContent);
    vegaEmbed(figure, spec, { actions: false, renderer: "svg" })
      .then((result) => {
        addActions(figure, result.view, spec);
        figure.setAttribute("data-ready", "true");
      })
      .catch((error) => console.error("chart", figure.dataset.chart, error));
  }
});
