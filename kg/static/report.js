// Draws the figures kg/charts.py wrote as JSON. Titles and notes go in as
// text; values inside the figures were entity-escaped by kg/charts.py.
(function () {
  "use strict";
  var figures = JSON.parse(document.getElementById("mlkg-data").textContent);
  var main = document.getElementById("charts");
  // every box first, so that the grid has its final columns before any is measured
  var boxes = figures.map(function (figure, index) {
    var section = document.createElement("section");
    var heading = document.createElement("h2");
    heading.textContent = figure.title;
    section.appendChild(heading);
    var box = document.createElement("div");
    box.className = figure.empty ? "empty" : "chart";
    box.id = "chart-" + index;
    section.appendChild(box);
    main.appendChild(section);
    return box;
  });
  figures.forEach(function (figure, index) {
    var box = boxes[index];
    if (figure.empty) {
      box.textContent = figure.empty;
      return;
    }
    // the box's own width: Plotly's default (700 px) would overflow a narrow column
    figure.layout.width = box.clientWidth;
    Plotly.newPlot(box, figure.data, figure.layout, {displaylogo: false, responsive: true});
  });
  document.body.setAttribute("data-drawn", String(figures.length));
})();
