(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("mlkg-data").textContent);
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function pairs(rows) {
    var list = el("dl");
    rows.forEach(function (row) {
      list.appendChild(el("dt", null, row[0]));
      list.appendChild(el("dd", null, row[1]));
    });
    return list;
  }
  // One sentence, once, with the words of each of its facts marked and named.
  // A word is [fact, its text, the sentence, where the text starts in it].
  function sentence(text, words) {
    var quote = el("blockquote", "tip-sentence"), done = 0, apart = [];
    words.slice().sort(function (a, b) { return a[3] - b[3]; }).forEach(function (w) {
      if (w[3] < done || text.substr(w[3], w[1].length) !== w[1]) { apart.push(w); return; }
      quote.appendChild(document.createTextNode(text.slice(done, w[3])));
      var mark = el("mark", null, w[1]);
      mark.title = w[0];
      quote.appendChild(mark);
      quote.appendChild(el("sub", "tip-prop", w[0]));
      done = w[3] + w[1].length;
    });
    quote.appendChild(document.createTextNode(text.slice(done)));
    apart.forEach(function (w) { quote.appendChild(el("div", "tip-prop", w[0] + ": " + w[1])); });
    return quote;
  }
  function card(node) {
    var info = data.details[node.id] || {facts: [], named: [], words: [], iri: node.id};
    var box = el("div", "tip");
    box.appendChild(el("div", "tip-title", node.fullLabel));
    box.appendChild(el("div", "tip-class", node.cls));
    if (info.named.length) { box.appendChild(pairs(info.named)).className = "tip-named"; }
    if (info.facts.length) { box.appendChild(pairs(info.facts)); }
    if (info.words.length) {
      box.appendChild(el("div", "tip-head", "in the paper's words"));
      var order = [], by = {};
      info.words.forEach(function (w) {
        if (!Object.prototype.hasOwnProperty.call(by, w[2])) { by[w[2]] = []; order.push(w[2]); }
        by[w[2]].push(w);
      });
      order.forEach(function (text) { box.appendChild(sentence(text, by[text])); });
    }
    box.appendChild(el("div", "tip-iri", info.iri));
    return box;
  }
  function edgeCard(edge) {
    var text = edge.prop + (edge.weight !== undefined ? ": " + edge.weight + " training run" + (edge.weight === 1 ? "" : "s") : "");
    return el("div", "tip", text);
  }
  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    return Object.assign({}, n, {title: card(n), shortLabel: n.label, baseFont: n.font.size});
  }));
  var edges = new vis.DataSet(data.edges.map(function (e) { return Object.assign({}, e, {title: edgeCard(e)}); }));
  var container = document.getElementById("graph");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, data.options);
  window.mlkgNetwork = network;
  window.mlkgNodes = nodes;

  // Labels by zoom: a node's label shows from its labelZoom on (shared nodes
  // always, papers and runs when zoomed in), and a selected node's always.
  // Zoomed out, shown labels grow (up to LABEL_GROWTH times) so they stay readable.
  var LABEL_PIXELS = 10, LABEL_GROWTH = 2.5;
  var selected = {};
  function showLabels(scale) {
    var changes = [];
    nodes.forEach(function (n) {
      var shown = scale >= n.labelZoom || selected[n.id];
      var label = shown ? n.shortLabel : "";
      var size = shown ? Math.round(Math.min(n.baseFont * LABEL_GROWTH, Math.max(n.baseFont, LABEL_PIXELS / scale))) : n.baseFont;
      if (n.label !== label || n.font.size !== size) { changes.push({id: n.id, label: label, font: {size: size}}); }
    });
    if (changes.length) { nodes.update(changes); }
  }
  window.mlkgShowLabels = function () { showLabels(network.getScale()); };
  network.on("zoom", function (params) { showLabels(params.scale); });
  function ready() {
    showLabels(network.getScale());
    window.mlkgReady = true;
  }
  window.mlkgReady = false;
  if (data.physics) {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({physics: {enabled: false}});
      ready();
    });
  } else {
    ready();
  }

  var details = document.getElementById("details");
  function showDetails(id) {
    details.replaceChildren();
    var node = nodes.get(id);
    if (node) { details.appendChild(card(node)); }
  }
  function show(id) {
    selected = {};
    selected[id] = true;
    network.selectNodes([id]);
    network.focus(id, {scale: 1.3, animation: false});
    showLabels(network.getScale());
    showDetails(id);
  }
  network.on("selectNode", function (params) {
    selected = {};
    params.nodes.forEach(function (id) { selected[id] = true; });
    showLabels(network.getScale());
    showDetails(params.nodes[0]);
  });

  var search = document.getElementById("search");
  var matches = document.getElementById("matches");
  function find(text) {
    var query = String(text).trim().toLowerCase();
    if (!query) { return []; }
    var exact = [], partial = [];
    nodes.forEach(function (node) {
      if (node.hidden) { return; }
      var label = String(node.fullLabel).toLowerCase();
      if (label === query) { exact.push(node.id); }
      else if (label.indexOf(query) !== -1) { partial.push(node.id); }
    });
    return exact.concat(partial);
  }
  function listMatches() {
    matches.replaceChildren();
    var found = find(search.value);
    found.slice(0, 12).forEach(function (id) {
      var button = el("button", "match", nodes.get(id).fullLabel);
      button.type = "button";
      button.addEventListener("click", function () { show(id); });
      matches.appendChild(button);
    });
    if (search.value.trim() && !found.length) { matches.appendChild(el("span", "none", "no match")); }
    return found;
  }
  search.addEventListener("input", listMatches);
  document.getElementById("search-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var found = listMatches();
    if (found.length) { show(found[0]); }
  });
  window.mlkgFind = function (text) {
    search.value = text;
    var found = listMatches();
    if (found.length) { show(found[0]); }
    return found;
  };
  var options = document.getElementById("labels");
  nodes.forEach(function (node) {
    var option = document.createElement("option");
    option.value = node.fullLabel;
    options.appendChild(option);
  });

  var legend = document.getElementById("legend");
  data.legend.forEach(function (entry) {
    var label = el("label", "class-toggle");
    var box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.dataset.cls = entry.cls;
    box.addEventListener("change", function () {
      var hide = !box.checked;
      nodes.update(nodes.get({filter: function (n) { return n.cls === entry.cls; }})
        .map(function (n) { return {id: n.id, hidden: hide}; }));
    });
    var glyph = el("span", "glyph", entry.glyph);
    glyph.style.color = entry.color;
    label.appendChild(box);
    label.appendChild(glyph);
    label.appendChild(el("span", null, entry.cls + " (" + entry.count + ")"));
    legend.appendChild(label);
  });
})();
