/**
 * @module
 * The dashboard's one script, served from the service itself (`/dashboard.js`, allowed by the
 * Content-Security-Policy as `script-src 'self'`; no inline script). Progressive: every page
 * works without it. With it, a chart is one stop of the Tab key, its days reached with the
 * arrow keys, Home and End (without it, each day is a stop of its own), and picking a quiet
 * threshold applies it at once (without it, the form's button does).
 */

/** Where the script is served. */
export const SCRIPT_PATH = '/dashboard.js'

export const dashboardScript = `'use strict';
document.querySelectorAll('[data-chart]').forEach(function (chart) {
  var points = Array.prototype.slice.call(chart.querySelectorAll('.pt'));
  if (points.length === 0) return;
  points.forEach(function (p) { p.setAttribute('tabindex', '-1'); });
  points[points.length - 1].setAttribute('tabindex', '0');
  chart.addEventListener('keydown', function (e) {
    var i = points.indexOf(document.activeElement);
    if (i < 0) return;
    var next = { ArrowLeft: i - 1, ArrowRight: i + 1, Home: 0, End: points.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    next = Math.max(0, Math.min(points.length - 1, next));
    points[i].setAttribute('tabindex', '-1');
    points[next].setAttribute('tabindex', '0');
    points[next].focus();
  });
  chart.addEventListener('click', function (e) {
    var p = e.target.closest && e.target.closest('.pt');
    if (p) p.focus();
  });
});
document.querySelectorAll('select[data-autosubmit]').forEach(function (select) {
  select.addEventListener('change', function () { select.form.submit(); });
});
`
