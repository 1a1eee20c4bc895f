// kg viz: every string from the articles reaches the page through textContent only.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var el = function (tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  };
  var container = document.getElementById("network");
  var empty = document.getElementById("empty");
  if (!data.nodes.length) {
    empty.textContent = data.meta.empty_message;
    empty.style.display = "flex";
  }

  // legend
  var legend = document.getElementById("legend");
  data.legend.forEach(function (item) {
    var span = el("span");
    var sw = el("i", null, "sw " + item.swatch);
    sw.style.background = item.color;
    span.appendChild(sw);
    span.appendChild(el("span", item.label));
    legend.appendChild(span);
  });

  // filters
  var activeRelations = {}, activeLanguages = {};
  function addBoxes(fieldsetId, values, active) {
    var fs = document.getElementById(fieldsetId);
    values.forEach(function (v) {
      active[v.key] = true;
      var label = el("label");
      var box = el("input");
      box.type = "checkbox"; box.checked = true; box.value = v.key;
      box.addEventListener("change", function () { active[v.key] = box.checked; refresh(); });
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + v.label));
      fs.appendChild(label);
    });
  }
  addBoxes("relation-filter", data.relation_types, activeRelations);
  addBoxes("language-filter", data.languages, activeLanguages);
  // candidates: kept with their sources, but hedged, negated, conditional or not sure enough
  var showCandidates = false;
  var candidateBox = document.getElementById("candidates");
  document.getElementById("candidate-count").textContent = " (" + data.candidates + ")";
  candidateBox.addEventListener("change", function () { showCandidates = candidateBox.checked; refresh(); });
  // rejected by an analyst (kg correct reject): kept with their sources and the reason
  var showRejected = false;
  var rejectedBox = document.getElementById("rejected");
  document.getElementById("rejected-count").textContent = " (" + data.rejected + ")";
  rejectedBox.addEventListener("change", function () { showRejected = rejectedBox.checked; refresh(); });

  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  function edgeVisible(edge) {
    if (edge.rejected) { if (!showRejected) return false; }
    else if (!edge.asserted && !showCandidates) return false;
    if (!activeRelations[edge.relation]) return false;
    return edge.languages.some(function (l) { return activeLanguages[l]; });
  }
  var edgeView = new vis.DataView(edges, { filter: edgeVisible });
  var network = new vis.Network(container, { nodes: nodes, edges: edgeView }, data.options);
  if (data.options.physics && data.options.physics.enabled) {
    network.once("stabilizationIterationsDone", function () { network.setOptions({ physics: false }); network.fit(); });
  }
  function refresh() { edgeView.refresh(); }

  // panel
  var panel = document.getElementById("panel");
  function sourceBlock(src) {
    var div = el("div", null, "src");
    var doc = el("div", null, "doc");
    doc.appendChild(el("strong", src.title));
    doc.appendChild(document.createTextNode(" · " + src.language + " · " + src.document + " · chars " + src.start + "–" + src.end));
    div.appendChild(doc);
    var flags = ["hedged", "negated", "conditional", "future", "approximate", "rejected", "confirmed"]
      .filter(function (f) { return src[f]; });
    if (flags.length) div.appendChild(el("div", flags.join(", "), "flags"));
    var quote = el("blockquote");
    var at = src.context.indexOf(src.quote);
    if (at < 0) { quote.appendChild(el("mark", src.quote)); }
    else {
      quote.appendChild(document.createTextNode("…" + src.context.slice(0, at)));
      quote.appendChild(el("mark", src.quote));
      quote.appendChild(document.createTextNode(src.context.slice(at + src.quote.length) + "…"));
    }
    div.appendChild(quote);
    if (src.antecedent) {
      var named = el("blockquote");
      named.appendChild(document.createTextNode("named in chars " + src.antecedent.start + "–" + src.antecedent.end + ": "));
      named.appendChild(el("mark", src.antecedent.quote));
      div.appendChild(named);
    }
    var rule = el("div", "rule " + src.rule + " · confidence " + src.confidence.toFixed(2), "doc");
    div.appendChild(rule);
    return div;
  }
  function relationshipBlock(relId) {
    var rel = data.relationships[relId];
    var div = el("div", null, "rel");
    div.setAttribute("data-relationship", relId);
    div.appendChild(el("div", rel.subject + " —[" + rel.predicate + "]→ " + (rel.object || ""),
                       rel.status === "rejected" ? "head struck" : "head"));
    if (rel.status === "rejected") div.appendChild(el("div", "rejected by an analyst: not an edge of the graph", "flags"));
    else if (rel.status === "confirmed") div.appendChild(el("div", "confirmed by an analyst", "flags"));
    else if (rel.status === "added") div.appendChild(el("div", "added by an analyst", "flags"));
    else if (!rel.asserted) div.appendChild(el("div", "candidate: no source states it plainly and surely enough to assert it", "flags"));
    (rel.corrections || []).forEach(function (c) {
      var what = c.operation + (c.qualifier ? " " + c.qualifier + " = " + c.value : "") + (c.document ? " in " + c.document : "");
      div.appendChild(el("div", what + " by " + c.by + " at " + c.at + ": " + c.why, "correction"));
    });
    var quals = Object.keys(rel.qualifiers).filter(function (k) { return k !== "role"; })
      .map(function (k) { return k + ": " + rel.qualifiers[k]; });
    quals.unshift(rel.source_count + (rel.source_count === 1 ? " source" : " sources"));
    div.appendChild(el("div", quals.join(" · "), "quals"));
    Object.keys(rel.disagreements).forEach(function (k) {
      var parts = rel.disagreements[k].map(function (d) { return d.value + " (" + d.documents.join(", ") + ")"; });
      div.appendChild(el("div", "sources disagree on " + k + ": " + parts.join("  |  "), "disagree"));
    });
    rel.sources.forEach(function (i) { div.appendChild(sourceBlock(data.sources[i])); });
    return div;
  }
  function show(title, relIds) {
    panel.textContent = "";
    panel.appendChild(el("h2", title));
    if (!relIds.length) panel.appendChild(el("p", "No relationships in the current filter.", "hint"));
    relIds.forEach(function (id) { panel.appendChild(relationshipBlock(id)); });
  }
  function selectEdge(edgeId) {
    var edge = edges.get(edgeId);
    if (!edge) return false;
    network.selectEdges([edgeId]);
    show(edge.label ? data.node_labels[edge.from] + " —[" + edge.label + "]→ " + data.node_labels[edge.to] : "Relationship", edge.relationships);
    return true;
  }
  function selectNode(nodeId) {
    if (!nodes.get(nodeId)) return false;
    network.selectNodes([nodeId]);
    var ids = [];
    edgeView.get().forEach(function (e) { if (e.from === nodeId || e.to === nodeId) ids = ids.concat(e.relationships); });
    ids = ids.concat(data.node_facts[nodeId] || []);
    show(data.node_labels[nodeId], ids.filter(function (v, i) { return ids.indexOf(v) === i; }));
    return true;
  }
  network.on("click", function (params) {
    if (params.nodes.length) selectNode(params.nodes[0]);
    else if (params.edges.length) selectEdge(params.edges[0]);
  });

  // search
  var names = document.getElementById("entity-names");
  var byName = {};
  data.nodes.forEach(function (n) {
    byName[n.label.toLowerCase()] = n.id;
    var opt = el("option"); opt.value = n.label; names.appendChild(opt);
  });
  var search = document.getElementById("search");
  function find() {
    var id = byName[search.value.trim().toLowerCase()];
    if (id === undefined) return false;
    network.focus(id, { scale: 1.2, animation: false });
    return selectNode(id);
  }
  search.addEventListener("change", find);
  search.addEventListener("keydown", function (e) { if (e.key === "Enter") find(); });

  window.kg = { network: network, nodes: nodes, edges: edges, edgeView: edgeView, data: data,
                selectEdge: selectEdge, selectNode: selectNode, find: function (name) { search.value = name; return find(); },
                setRelation: function (key, on) { activeRelations[key] = on; refresh(); },
                setLanguage: function (key, on) { activeLanguages[key] = on; refresh(); },
                ready: true };
})();
