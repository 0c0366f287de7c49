/* PNG and SVG downloads of the survey charts. Each placeholder
 * <p data-chart-download="<chart id>" hidden> gets two buttons once web/charts.js has drawn
 * the chart (as SVG, class chart--drawn); nothing is sent anywhere: the file is made from the
 * SVG already in the page. Without JavaScript the placeholder stays hidden and the table
 * alternative is there. */
(function () {
  "use strict";
  function save(url, name) {
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
  }
  function svgText(svg) {
    var copy = svg.cloneNode(true);
    copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
    return new XMLSerializer().serializeToString(copy);
  }
  function asSvg(svg, name) {
    var url = URL.createObjectURL(new Blob([svgText(svg)], { type: "image/svg+xml" }));
    save(url, name + ".svg");
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }
  function asPng(svg, name) {
    var box = svg.getBoundingClientRect();
    var scale = 2;
    var image = new Image();
    image.onload = function () {
      var canvas = document.createElement("canvas");
      canvas.width = Math.ceil(box.width * scale);
      canvas.height = Math.ceil(box.height * scale);
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      save(canvas.toDataURL("image/png"), name + ".png");
    };
    image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svgText(svg));
  }
  function button(label, chartId, onClick) {
    var element = document.createElement("button");
    element.type = "button";
    element.setAttribute("aria-describedby", chartId + "-title");  // which chart
    element.className = "button button--secondary";
    element.textContent = label;
    element.addEventListener("click", onClick);
    return element;
  }
  function offer(placeholder) {
    var chart = document.getElementById(placeholder.getAttribute("data-chart-download"));
    if (!chart || !chart.classList.contains("chart--drawn") || placeholder.childElementCount) { return; }
    var svg = chart.querySelector("svg");
    if (!svg) { return; }
    var name = placeholder.getAttribute("data-file-name") || "chart";
    placeholder.appendChild(button(placeholder.getAttribute("data-svg-label"), chart.id, function () { asSvg(svg, name); }));
    placeholder.appendChild(document.createTextNode(" "));
    placeholder.appendChild(button(placeholder.getAttribute("data-png-label"), chart.id, function () { asPng(svg, name); }));
    placeholder.hidden = false;
  }
  function scan() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart-download]"), offer);
  }
  new MutationObserver(scan).observe(document.documentElement, {
    subtree: true, attributes: true, attributeFilter: ["class"]
  });
  document.addEventListener("DOMContentLoaded", scan);
})();
