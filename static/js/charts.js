// Charts of the emulation dashboards, drawn with the vendored Chart.js 4.
//
// The figures come from a JSON block that the page renders with Django's json_script filter
// (<script type="application/json">: data, never executed, so the strict Content-Security-Policy
// allows it). Each chart is a canvas naming its block and its key:
//
//   <canvas data-chart-data="<id of the block>" data-chart-key="<key>"
//           data-chart-type="bar|line" [data-chart-unit="%"]>
//
// A key holds {labels: [...], datasets: [{label, data: [number|null, ...], goal?: true}]}.
// The data table next to every chart holds the same figures: the chart is a picture of the table.
(function () {
  "use strict";

  if (typeof window.Chart === "undefined") {
    return;
  }

  const COLOURS = ["#0b4f8a", "#d9822b", "#2a9d8f", "#b5394b", "#6d5a9e", "#5b7083", "#c9a227", "#3f8f4e"];
  const GOAL_COLOUR = "#6c757d";
  const language = document.documentElement.lang || "vi";
  const format = new Intl.NumberFormat(language, { maximumFractionDigits: 2 });
  const blocks = new Map();

  function readBlock(id) {
    if (!blocks.has(id)) {
      const element = document.getElementById(id);
      let parsed = null;
      if (element) {
        try {
          parsed = JSON.parse(element.textContent);
        } catch (error) {
          parsed = null;
        }
      }
      blocks.set(id, parsed);
    }
    return blocks.get(id);
  }

  function withUnit(value, unit) {
    if (value === null || value === undefined) {
      return "—";
    }
    return format.format(value) + (unit ? " " + unit : "");
  }

  function styleDataset(dataset, index, type) {
    if (dataset.goal) {
      return {
        label: dataset.label,
        data: dataset.data,
        type: "line",
        borderColor: GOAL_COLOUR,
        backgroundColor: GOAL_COLOUR,
        borderDash: [6, 4],
        borderWidth: 2,
        pointRadius: 0,
        fill: false,
      };
    }
    const colour = COLOURS[index % COLOURS.length];
    return {
      label: dataset.label,
      data: dataset.data,
      borderColor: colour,
      backgroundColor: colour,
      borderWidth: 2,
      pointRadius: type === "line" ? 3 : 0,
      spanGaps: true,
      tension: 0,
      fill: false,
    };
  }

  function draw(canvas) {
    const block = readBlock(canvas.dataset.chartData);
    const series = block ? block[canvas.dataset.chartKey] : null;
    if (!series || !Array.isArray(series.datasets) || series.datasets.length === 0) {
      canvas.hidden = true;
      return;
    }
    const type = canvas.dataset.chartType === "line" ? "line" : "bar";
    const unit = canvas.dataset.chartUnit || "";
    let colourIndex = 0;
    const datasets = series.datasets.map(function (dataset) {
      const styled = styleDataset(dataset, colourIndex, type);
      if (!dataset.goal) {
        colourIndex += 1;
      }
      return styled;
    });
    new window.Chart(canvas, {
      type: type,
      data: { labels: series.labels, datasets: datasets },
      options: {
        responsive: true,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (context) {
                return context.dataset.label + ": " + withUnit(context.parsed.y, unit);
              },
            },
          },
        },
        scales: {
          y: {
            // Bars start at zero; lines zoom on the range of their values (trends over years).
            beginAtZero: type === "bar",
            ticks: {
              callback: function (value) {
                return withUnit(value, unit);
              },
            },
          },
        },
      },
    });
  }

  document.querySelectorAll("canvas[data-chart-data]").forEach(draw);
})();
