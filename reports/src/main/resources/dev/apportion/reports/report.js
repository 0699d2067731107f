// Draws the report's charts from the JSON data block with Chart.js (inlined above). Amounts arrive as exact
// decimal strings; the charts plot them as numbers, the tables show the exact strings.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.size = 11;
  var drawn = 0;

  function color(i) { return palette[i % palette.length]; }
  function numbers(values) { return values.map(function (v) { return v === null ? null : Number(v); }); }

  function draw(name, config) {
    var canvas = document.querySelector('canvas[data-chart="' + name + '"]');
    if (!canvas || !data.charts[name]) { return; }
    new Chart(canvas, config);
    drawn++;
  }

  function bars(name, horizontal) {
    var chart = data.charts[name];
    if (!chart) { return; }
    draw(name, {
      type: 'bar',
      data: { labels: chart.labels, datasets: [{ label: data.currency, data: numbers(chart.values), backgroundColor: color(0) }] },
      options: { indexAxis: horizontal ? 'y' : 'x', plugins: { legend: { display: false } } }
    });
  }

  function stacked(name) {
    var chart = data.charts[name];
    if (!chart) { return; }
    draw(name, {
      type: 'bar',
      data: {
        labels: chart.labels,
        datasets: chart.series.map(function (series, i) {
          return { label: series.name, data: numbers(series.values), backgroundColor: color(i) };
        })
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true } } }
    });
  }

  bars('consumers', true);
  bars('features', true);
  stacked('models');
  if (data.charts.tiers) {
    draw('tiers', {
      type: 'doughnut',
      data: { labels: data.charts.tiers.labels, datasets: [{ data: numbers(data.charts.tiers.values),
        backgroundColor: data.charts.tiers.labels.map(function (l, i) { return color(i); }) }] }
    });
  }
  bars('daily', false);
  stacked('variance');
  bars('momConsumers', true);
  bars('momFeatures', true);
  document.documentElement.setAttribute('data-charts-drawn', String(drawn));
})();
