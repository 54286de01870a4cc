/* kg relationship map: reads the JSON in #kg-data and drives vis-network.
 *
 * Every string in the data comes from news articles, so it is only ever put
 * into the page with textContent (never innerHTML), and only http(s) URLs
 * become links. Exposes window.kgNetwork (the vis Network) and window.kg
 * (selectNode, selectEdge, focus, search, applyFilters) for tests and users;
 * sets window.kgReady once the first frame after any layout has been drawn.
 */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var MAX_FACTS = 200;     // incident relations listed per entity in the panel
  var MAX_SUGGESTIONS = 8;
  var MAX_LABEL = 48;      // characters drawn on the canvas; the panel shows all
  var panel = document.getElementById("kg-panel");

  // ---------------------------------------------------------------- DOM helpers
  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  // Defence in depth: Python already dropped non-web URLs from `href`.
  function safeHref(url) {
    if (typeof url !== "string") return null;
    try {
      var parsed = new URL(url);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  function link(text, url) {
    var href = safeHref(url);
    if (!href) return el("span", text);
    var a = el("a", text);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  function button(text, className, onClick) {
    var b = el("button", text, className);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  function definitions(pairs) {
    var dl = el("dl");
    pairs.forEach(function (pair) {
      if (pair[1] === null || pair[1] === undefined || pair[1] === "") return;
      dl.appendChild(el("dt", pair[0]));
      var dd = el("dd");
      dd.appendChild(pair[1] instanceof Node ? pair[1] : document.createTextNode(String(pair[1])));
      dl.appendChild(dd);
    });
    return dl;
  }

  function showInPanel(children) {
    panel.replaceChildren.apply(panel, children);
  }

  // ---------------------------------------------------------------- graph data
  var incident = data.nodes.map(function () { return []; });
  data.edges.forEach(function (e, i) {
    incident[e.from].push(i);
    if (e.to !== e.from) incident[e.to].push(i);
  });
  // Search matches labels and aliases, case-insensitively.
  var folded = data.nodes.map(function (n) { return n.label.toLowerCase(); });
  var foldedAliases = data.nodes.map(function (n) {
    return (n.aliases || []).map(function (a) { return a.toLowerCase(); });
  });

  function visNode(n, i) {
    var label = n.label.length > MAX_LABEL ? n.label.slice(0, MAX_LABEL - 1) + "…" : n.label;
    // x/y: Python's seeded layout; final when large, the physics start when not.
    return { id: i, label: label, group: n.type, size: n.size, x: n.x, y: n.y };
  }

  function visEdge(e, i) {
    var style = data.relations[e.relation];
    var edge = {
      id: i, from: e.from, to: e.to, width: e.width,
      color: { color: style.color, highlight: style.color, hover: style.color },
      arrows: { to: { enabled: style.directed } }
    };
    if (!data.large) edge.label = e.relation;  // big maps: the panel names relations
    if (e.curve > 0) edge.smooth = { enabled: true, type: "curvedCW", roundness: 0.2 * e.curve };
    return edge;
  }

  var options = data.options;
  options.groups = {};
  Object.keys(data.types).forEach(function (type) {
    var style = data.types[type];
    options.groups[type] = {
      shape: style.shape,
      color: { background: style.color, border: "#333333",
               highlight: { background: style.color, border: "#000000" } }
    };
  });

  var nodes = new vis.DataSet(data.nodes.map(visNode));
  var edges = new vis.DataSet(data.edges.map(visEdge));
  var network = new vis.Network(document.getElementById("kg-network"),
                                { nodes: nodes, edges: edges }, options);
  window.kgNetwork = network;

  // ---------------------------------------------------------------- readiness
  function markReady() {
    network.once("afterDrawing", function () {
      window.kgReady = true;
      document.body.setAttribute("data-ready", "true");
    });
    network.redraw();
  }
  if (options.physics.enabled) {
    // Physics only untangles the start layout; freezing it keeps the page calm.
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      markReady();
    });
  } else {
    markReady();
  }

  // ---------------------------------------------------------------- panel
  function nodeButton(index) {
    return button(data.nodes[index].label, "entity-link", function () { selectNode(index, true); });
  }

  function factLine(edgeIndex, nodeIndex) {
    var e = data.edges[edgeIndex];
    var directed = data.relations[e.relation].directed;
    var other = e.from === nodeIndex ? e.to : e.from;
    var arrow = !directed ? " ↔ " : e.from === nodeIndex ? " → " : " ← ";
    var sources = e.sources.length === 1 ? "1 source" : e.sources.length + " sources";
    var text = e.relation + arrow + data.nodes[other].label +
      " (" + e.confidence.toFixed(2) + ", " + sources + ")";
    return button(text, "fact", function () { selectEdge(edgeIndex); });
  }

  function showNode(index) {
    var n = data.nodes[index];
    var facts = incident[index];
    var list = el("ul", null, "facts");
    facts.slice(0, MAX_FACTS).forEach(function (edgeIndex) {
      var item = el("li");
      item.appendChild(factLine(edgeIndex, index));
      list.appendChild(item);
    });
    if (facts.length > MAX_FACTS) {
      list.appendChild(el("li", "… and " + (facts.length - MAX_FACTS) + " more"));
    }
    showInPanel([
      el("h3", n.label),
      definitions([
        ["Type", n.type],
        ["Also known as", (n.aliases || []).join(" · ")],
        ["Wikidata", n.qid ? link(n.qid, n.wikidata) : null],
        ["IRI", n.iri]
      ]),
      el("h2", "Facts (" + facts.length + ")"),
      facts.length ? list : el("p", "No relations in this map.", "hint")
    ]);
  }

  function evidenceItem(source) {
    var article = data.articles[source.article];
    var item = el("li");
    item.appendChild(el("blockquote", source.sentence));
    var meta = el("div", null, "meta");
    meta.appendChild(link(article.title || article.url || article.id, article.href));
    var details = [article.published, "article " + article.id,
                   "confidence " + source.confidence.toFixed(2), source.rule, source.status];
    meta.appendChild(document.createTextNode(" · " + details.filter(Boolean).join(" · ")));
    item.appendChild(meta);
    if (article.url && !article.href) {
      // Shown, not linked: it is not a web address (it may be javascript: or worse).
      item.appendChild(el("div", "URL (not a web link): " + article.url, "meta"));
    }
    return item;
  }

  function showEdge(index) {
    var e = data.edges[index];
    var heading = el("h3");
    heading.append(nodeButton(e.from), " " + e.relation + " ", nodeButton(e.to));
    var list = el("ol", null, "evidence");
    e.sources.forEach(function (source) { list.appendChild(evidenceItem(source)); });
    showInPanel([
      heading,
      definitions([
        ["Relation", e.relation +
          (data.relations[e.relation].directed ? " (directed)" : " (symmetric)")],
        ["Confidence", e.confidence.toFixed(2)],
        ["First reported", e.first_date],
        ["Sources", String(e.sources.length)]
      ]),
      el("h2", "Evidence"),
      e.sources.length ? list : el("p", "No evidence recorded.", "hint")
    ]);
  }

  function clearPanel() {
    showInPanel([el("p", "Click an entity or a relation to see its facts and evidence.", "hint")]);
  }

  // ---------------------------------------------------------------- selection
  function selectNode(index, zoom) {
    if (!(index >= 0 && index < data.nodes.length)) return false;
    network.selectNodes([index]);
    if (zoom) {
      network.focus(index, { scale: Math.max(network.getScale(), 1.0),
                             animation: { duration: 300 } });
    }
    showNode(index);
    return true;
  }

  function selectEdge(index) {
    if (!(index >= 0 && index < data.edges.length)) return false;
    network.setSelection({ nodes: [], edges: [index] },
                         { unselectAll: true, highlightEdges: false });
    showEdge(index);
    return true;
  }

  network.on("click", function (params) {
    if (params.nodes.length) showNode(params.nodes[0]);
    else if (params.edges.length) showEdge(params.edges[0]);
    else clearPanel();
  });

  // ---------------------------------------------------------------- search
  var hiddenNodes = new Uint8Array(data.nodes.length);

  function search(query) {
    var q = String(query).trim().toLowerCase();
    if (!q) return [];
    var exact = [], prefix = [], inside = [];
    folded.forEach(function (label, i) {
      if (hiddenNodes[i]) return;
      var names = [label].concat(foldedAliases[i]);
      if (names.indexOf(q) >= 0) exact.push(i);
      else if (names.some(function (s) { return s.indexOf(q) === 0; })) prefix.push(i);
      else if (names.some(function (s) { return s.indexOf(q) > 0; })) inside.push(i);
    });
    function byLength(a, b) { return folded[a].length - folded[b].length || a - b; }
    return exact.concat(prefix.sort(byLength), inside.sort(byLength));
  }

  function focusLabel(query) {
    var hits = search(query);
    if (!hits.length) return null;
    selectNode(hits[0], true);
    return hits[0];
  }

  var searchBox = document.getElementById("kg-search");
  var suggestions = document.getElementById("kg-suggestions");
  searchBox.addEventListener("input", function () {
    var items = search(searchBox.value).slice(0, MAX_SUGGESTIONS).map(function (i) {
      var item = el("li");
      item.appendChild(button(data.nodes[i].label + " · " + data.nodes[i].type, null, function () {
        selectNode(i, true);
        suggestions.replaceChildren();
      }));
      return item;
    });
    suggestions.replaceChildren.apply(suggestions, items);
  });
  searchBox.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") return;
    event.preventDefault();
    if (focusLabel(searchBox.value) === null) {
      suggestions.replaceChildren(el("li", "No visible entity matches.", "hint"));
    } else {
      suggestions.replaceChildren();
    }
  });

  // ---------------------------------------------------------------- filters
  var hiddenEdges = new Uint8Array(data.edges.length);
  var confidence = document.getElementById("kg-confidence");
  var confidenceValue = document.getElementById("kg-confidence-value");
  var visible = document.getElementById("kg-visible");

  function checked(selector) {
    var on = {};
    document.querySelectorAll(selector).forEach(function (box) { on[box.value] = box.checked; });
    return on;
  }

  // Hides what the legend checkboxes and the slider exclude; entities whose every
  // relation is hidden go too, so a filtered map is not a cloud of loose dots.
  function applyFilters() {
    var typesOn = checked("input.kg-type");
    var relationsOn = checked("input.kg-relation");
    var minimum = parseFloat(confidence.value) || 0;
    confidenceValue.textContent = minimum.toFixed(2);
    var nodeOff = data.nodes.map(function (n) { return typesOn[n.type] === false; });
    var edgeOff = data.edges.map(function (e) {
      return relationsOn[e.relation] === false || e.confidence < minimum ||
        nodeOff[e.from] || nodeOff[e.to];
    });
    nodeOff = nodeOff.map(function (off, i) {
      var edgesOff = incident[i].every(function (j) { return edgeOff[j]; });
      return off || (incident[i].length > 0 && edgesOff);
    });
    var nodeUpdates = [], edgeUpdates = [], shownNodes = 0, shownEdges = 0;
    nodeOff.forEach(function (off, i) {
      if (+off !== hiddenNodes[i]) {
        hiddenNodes[i] = +off;
        nodeUpdates.push({ id: i, hidden: off });
      }
      if (!off) shownNodes++;
    });
    edgeOff.forEach(function (off, i) {
      if (+off !== hiddenEdges[i]) {
        hiddenEdges[i] = +off;
        edgeUpdates.push({ id: i, hidden: off });
      }
      if (!off) shownEdges++;
    });
    if (nodeUpdates.length) nodes.update(nodeUpdates);
    if (edgeUpdates.length) edges.update(edgeUpdates);
    visible.textContent = "Showing " + shownNodes + " of " + data.nodes.length + " entities, " +
      shownEdges + " of " + data.edges.length + " relations.";
    return { nodes: shownNodes, edges: shownEdges };
  }

  document.querySelectorAll("input.kg-type, input.kg-relation").forEach(function (box) {
    box.addEventListener("change", applyFilters);
  });
  confidence.addEventListener("input", applyFilters);
  visible.textContent = "Showing all " + data.nodes.length + " entities and " +
    data.edges.length + " relations.";

  window.kg = {
    data: data,
    selectNode: function (index) { return selectNode(index, true); },
    selectEdge: selectEdge,
    focus: focusLabel,
    search: search,
    applyFilters: applyFilters
  };
})();
