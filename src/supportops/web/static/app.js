// Render every chart of the page from its inline Vega-Lite spec; bars link to their tickets.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const figure of document.querySelectorAll("figure[data-chart]")) {
    const spec = JSON.parse(document.getElementById("spec-" + figure.dataset.chart).textContent);
    vegaEmbed(figure, spec, { actions: false, renderer: "svg" })
      .then(() => figure.setAttribute("data-ready", "true"))
      .catch((error) => console.error("chart", figure.dataset.chart, error));
  }
});
