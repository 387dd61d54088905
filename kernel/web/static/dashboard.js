// Draws the home dashboard's chart tiles with the vendored ECharts. Each tile's data is JSON in
// its data-chart attribute ([[label, value], ...]) and its kind (bar, line, pie) in data-kind;
// the CSP allows no inline script, so nothing is written into the page. Tooltips are drawn on the
// canvas (renderMode "richText"), never as HTML, so a label taken from data stays text.
(() => {
  const option = (kind, pairs) => {
    const labels = pairs.map(([label]) => label);
    if (kind === "pie") {
      return {
        tooltip: { trigger: "item", renderMode: "richText" },
        series: [{ type: "pie", radius: "65%", data: pairs.map(([name, value]) => ({ name, value })) }],
      };
    }
    return {
      tooltip: { trigger: "axis", renderMode: "richText" },
      grid: { left: 48, right: 16, top: 16, bottom: 32 },
      xAxis: { type: "category", data: labels },
      yAxis: { type: "value" },
      series: [{ type: kind, data: pairs.map(([, value]) => value) }],
    };
  };

  document.addEventListener("DOMContentLoaded", () => {
    const charts = [];
    for (const node of document.querySelectorAll(".tile-chart[data-chart]")) {
      const chart = echarts.init(node);
      chart.setOption(option(node.dataset.kind, JSON.parse(node.dataset.chart)));
      node.closest(".tile").classList.add("drawn");
      charts.push(chart);
    }
    window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
  });
})();
