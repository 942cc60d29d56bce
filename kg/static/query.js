// Query page for `kg serve`: loads the bundled queries, runs SPARQL against
// /sparql and shows the answer as a table (SELECT/ASK) or Turtle text.
"use strict";

let PREFIXES = {};  // namespace -> "prefix:", loaded from /prefixes
const NUMERIC = /#(integer|decimal|double|float|long|int)$/;

function shorten(iri) {
  for (const [ns, prefix] of Object.entries(PREFIXES)) {
    if (iri.startsWith(ns)) return prefix + iri.slice(ns.length);
  }
  return iri;
}

function cell(binding) {
  const td = document.createElement("td");
  if (!binding) return td;
  if (binding.type === "uri") {
    td.textContent = shorten(binding.value);
    td.title = binding.value;
  } else {
    td.textContent = binding.value + (binding["xml:lang"] ? "@" + binding["xml:lang"] : "");
    if (binding.datatype) {
      td.title = shorten(binding.datatype);
      if (NUMERIC.test(binding.datatype)) td.className = "num";
    }
  }
  return td;
}

function showTable(json) {
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  if ("boolean" in json) {
    head.appendChild(Object.assign(document.createElement("th"), { textContent: "result" }));
    table.createTBody().insertRow().appendChild(Object.assign(document.createElement("td"), { textContent: String(json.boolean) }));
    return [table, 1];
  }
  const vars = json.head.vars;
  for (const name of vars) head.appendChild(Object.assign(document.createElement("th"), { textContent: name }));
  const body = table.createTBody();
  for (const row of json.results.bindings) {
    const tr = body.insertRow();
    for (const name of vars) tr.appendChild(cell(row[name]));
  }
  return [table, json.results.bindings.length];
}

async function run(event) {
  event.preventDefault();
  const status = document.getElementById("status");
  const results = document.getElementById("results");
  status.className = "";
  status.textContent = "running...";
  results.replaceChildren();
  const started = performance.now();
  try {
    const response = await fetch("/sparql", {
      method: "POST",
      headers: {
        "Content-Type": "application/sparql-query",
        Accept: "application/sparql-results+json, text/turtle;q=0.9",
      },
      body: document.getElementById("query").value,
    });
    const text = await response.text();
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    if (!response.ok) {
      status.className = "error";
      status.textContent = `HTTP ${response.status}: ${text}`;
      return;
    }
    if ((response.headers.get("Content-Type") || "").includes("sparql-results+json")) {
      const [table, count] = showTable(JSON.parse(text));
      results.appendChild(table);
      status.textContent = `${count} result${count === 1 ? "" : "s"} in ${seconds} s`;
    } else {
      results.appendChild(Object.assign(document.createElement("pre"), { textContent: text }));
      status.textContent = `graph in ${seconds} s`;
    }
  } catch (err) {
    status.className = "error";
    status.textContent = String(err);
  }
}

async function loadPrefixes() {
  const response = await fetch("/prefixes");
  if (!response.ok) return;
  for (const [prefix, ns] of Object.entries(await response.json())) PREFIXES[ns] = prefix + ":";
}

async function loadQueries() {
  const select = document.getElementById("named");
  const response = await fetch("/queries");
  if (!response.ok) return;
  const queries = await response.json();
  for (const q of queries) {
    select.appendChild(Object.assign(document.createElement("option"), { value: q.name, textContent: q.title || q.name }));
  }
  select.addEventListener("change", () => {
    const q = queries.find((item) => item.name === select.value);
    document.getElementById("description").textContent = q ? q.description : "";
    if (q) document.getElementById("query").value = q.text;
  });
}

document.getElementById("query-form").addEventListener("submit", run);
loadPrefixes();
loadQueries();
