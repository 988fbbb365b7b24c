// Renders every chart of the page from its inline Vega-Lite spec, as SVG.
// window.hwsimReport tells a test (or a curious reader) how it went.
(function () {
  'use strict';
  var state = { charts: 0, rendered: 0, failed: [], done: false };
  window.hwsimReport = state;
  var holders = document.querySelectorAll('.chart[data-spec]');
  state.charts = holders.length;
  var jobs = Array.prototype.map.call(holders, function (el) {
    var name = el.getAttribute('data-spec');
    var spec;
    try {
      spec = JSON.parse(document.getElementById(name).textContent);
    } catch (err) {
      state.failed.push(name + ': ' + err);
      console.error('hwsim report: chart ' + name + ' has an unreadable spec: ' + err);
      return Promise.resolve();
    }
    return vegaEmbed(el, spec, { renderer: 'svg', actions: false })
      .then(function () { state.rendered += 1; el.setAttribute('data-rendered', 'true'); })
      .catch(function (err) {
        state.failed.push(name + ': ' + err);
        console.error('hwsim report: chart ' + name + ' failed: ' + err);
        el.className += ' chart-error';
        el.textContent = 'This chart failed to render: ' + err;
      });
  });
  Promise.all(jobs).then(function () {
    state.done = true;
    document.body.setAttribute('data-charts-done', 'true');
  });
})();
