/* Draw every chart of the page with the vendored vega-embed.
 * The spec (with its data inline) sits in a <script type="application/json"> next to the
 * chart; nothing is fetched. The actions menu is off (its items link out to the Vega
 * editor), and the renderer is SVG so that the chart scales and prints sharply. */
(function () {
  "use strict";
  function draw() {
    if (typeof window.vegaEmbed !== "function") { return; }
    var charts = document.querySelectorAll("[data-chart]");
    // A loader that refuses every file or URL: the data is always inline.
    var noFiles = window.vega.loader();
    noFiles.load = noFiles.sanitize = function (uri) {
      return Promise.reject(new Error("Torg charts load nothing: " + uri));
    };
    Array.prototype.forEach.call(charts, function (element) {
      var source = document.getElementById(element.getAttribute("data-chart"));
      if (!source) { return; }
      var spec = JSON.parse(source.textContent);
      window.vegaEmbed(element, spec, {
        mode: "vega-lite",
        actions: false,
        renderer: "svg",
        loader: noFiles
      }).then(function () {
        element.classList.add("chart--drawn");
      }).catch(function (error) {
        element.textContent = element.getAttribute("data-error") || "";
        if (window.console) { window.console.error(error); }
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
