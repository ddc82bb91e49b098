// needlework report page script: draws the charts listed in <script id="nw-charts"> with the
// bundled Chart.js (inlined above this script, so the page works offline). Written for
// needlework; shared by report.html (simulate) and plan.html (plan).
"use strict";
(function () {
  const palette = ["#1f5fa8", "#c0392b", "#2e8b57", "#8e44ad", "#d68910", "#5d6d7e", "#17a589", "#a04000"];

  // Vertical marker lines (layer boundaries, needle setting) with their labels.
  const markerPlugin = {
    id: "nwMarkers",
    afterDatasetsDraw(chart, _args, options) {
      const markers = (options && options.markers) || [];
      const { ctx, chartArea, scales } = chart;
      ctx.save();
      markers.forEach((m, i) => {
        const x = scales.x.getPixelForValue(m.x);
        if (!(x >= chartArea.left && x <= chartArea.right)) return;
        ctx.strokeStyle = "#444";
        ctx.setLineDash([4, 3]);
        ctx.lineWidth = 1;
        ctx.beginPath();
        ctx.moveTo(x, chartArea.top);
        ctx.lineTo(x, chartArea.bottom);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = "#333";
        ctx.font = "11px sans-serif";
        ctx.save();
        ctx.translate(x + 3, chartArea.top + 4 + (i % 2) * 2);
        ctx.rotate(Math.PI / 2);
        ctx.fillText(m.label, 0, 0);
        ctx.restore();
      });
      ctx.restore();
    },
  };

  function dataset(spec, s, i) {
    const colour = palette[i % palette.length];
    const points = s.x.map((x, j) => ({ x: x, y: s.y[j] }));
    if (spec.kind === "histogram") {
      return {
        type: "bar", label: s.label, data: points, backgroundColor: colour + "99", borderColor: colour,
        borderWidth: 0, barPercentage: 1.0, categoryPercentage: 1.0, grouped: false,
      };
    }
    return {
      type: "line", label: s.label, data: points, borderColor: colour, backgroundColor: colour,
      borderDash: s.dashed ? [6, 4] : [], pointRadius: 2, tension: 0, fill: false,
    };
  }

  const specs = JSON.parse(document.getElementById("nw-charts").textContent);
  let drawn = 0;
  for (const spec of specs) {
    const canvas = document.getElementById(spec.id);
    if (!canvas) throw new Error("needlework report: no canvas for chart " + spec.id);
    new Chart(canvas, {
      type: spec.kind === "histogram" ? "bar" : "line",
      data: { datasets: spec.series.map((s, i) => dataset(spec, s, i)) },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: true,
        scales: {
          x: { type: "linear", title: { display: true, text: spec.x_label } },
          y: { type: spec.log_y ? "logarithmic" : "linear", title: { display: true, text: spec.y_label } },
        },
        plugins: {
          title: { display: true, text: spec.title },
          legend: { display: spec.series.length > 1 },
          nwMarkers: { markers: spec.markers },
        },
      },
      plugins: [markerPlugin],
    });
    drawn += 1;
  }
  document.body.dataset.chartsDrawn = String(drawn);
})();
