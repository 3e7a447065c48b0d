// Search over the static index the build writes to /search/ (see generator/write/search.py).
// No server, no third party: shards of the index are fetched from this site as needed.
// Kept out of the page so the Content-Security-Policy needs no inline script.
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form || !window.fetch) return;
  var base = form.getAttribute("data-index");
  var input = document.getElementById("search-q");
  var country = document.getElementById("search-country");
  var injustice = document.getElementById("search-injustice");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var meta = null, shards = {}, docFiles = {}, shown = 20, last = [];

  function get(path) {
    return fetch(base + path).then(function (r) {
      if (!r.ok) throw new Error(r.status + " " + path);
      return r.json();
    });
  }
  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function terms(text) {
    return fold(text).split(/[^0-9a-z]+/).filter(function (t) {
      return t.length > 1 && meta.stop.indexOf(t) < 0;
    });
  }
  function shard(prefix) {
    if (!shards[prefix]) shards[prefix] = get("index/" + prefix + ".json").catch(function () { return {}; });
    return shards[prefix];
  }
  function docs(n) {
    if (!docFiles[n]) docFiles[n] = get("docs/" + n + ".json");
    return docFiles[n];
  }
  function fill(select, values) {
    Object.keys(values).sort().forEach(function (v) {
      var o = document.createElement("option");
      o.value = v; o.textContent = v + " (" + values[v].length + ")";
      select.appendChild(o);
    });
  }
  function scoreTerm(term) {
    return shard(term.slice(0, 2)).then(function (entries) {
      var scores = {};
      Object.keys(entries).forEach(function (word) {
        if (word.indexOf(term) !== 0) return;
        var boost = word === term ? 2 : 1, list = entries[word];
        for (var i = 0; i < list.length; i += 2) {
          scores[list[i]] = (scores[list[i]] || 0) + list[i + 1] * boost;
        }
      });
      return scores;
    });
  }
  function allowed(name, select) {
    return select.value ? new Set(meta.filters[name][select.value] || []) : null;
  }
  function run() {
    var q = terms(input.value);
    var byCountry = allowed("country", country), byInjustice = allowed("injustice", injustice);
    if (!q.length && !byCountry && !byInjustice) { show([], ""); return; }
    Promise.all(q.map(scoreTerm)).then(function (perTerm) {
      var total = {}, ids;
      if (perTerm.length) {
        ids = Object.keys(perTerm[0]).filter(function (id) {
          return perTerm.every(function (s) { return id in s; });  // every word must match
        });
        ids.forEach(function (id) {
          total[id] = perTerm.reduce(function (sum, s) { return sum + s[id]; }, 0);
        });
      } else {
        ids = []; for (var i = 0; i < meta.docs; i++) { ids.push(String(i)); total[i] = 0; }
      }
      ids = ids.map(Number).filter(function (id) {
        return (!byCountry || byCountry.has(id)) && (!byInjustice || byInjustice.has(id));
      });
      ids.sort(function (a, b) { return (total[b] - total[a]) || (a - b); });
      shown = 20;
      show(ids, input.value.trim());
    });
  }
  function show(ids, query) {
    last = ids;
    list.innerHTML = "";
    if (!ids.length) {
      status.textContent = query || country.value || injustice.value ? "No stories found." : "";
      more.hidden = true;
      return;
    }
    status.textContent = ids.length + (ids.length === 1 ? " result" : " results");
    var page = ids.slice(0, shown);
    var files = Array.from(new Set(page.map(function (id) { return Math.floor(id / meta.per_file); })));
    Promise.all(files.map(docs)).then(function () {
      return Promise.all(page.map(function (id) {
        return docs(Math.floor(id / meta.per_file)).then(function (d) { return d[id % meta.per_file]; });
      }));
    }).then(function (cards) {
      if (last !== ids) return;  // a newer search has started
      cards.forEach(function (c) {
        var li = document.createElement("li"), a = document.createElement("a"), p = document.createElement("p"), m = document.createElement("p");
        li.className = "search__result";
        a.href = form.getAttribute("data-base") + c[0]; a.textContent = c[1];
        var h = document.createElement("h2"); h.appendChild(a);
        m.className = "search__meta";
        m.textContent = [c[3], c[4], c[6]].filter(Boolean).join(" · ");
        p.textContent = c[2];
        li.appendChild(h); li.appendChild(m); li.appendChild(p);
        list.appendChild(li);
      });
      more.hidden = ids.length <= shown;
    });
  }
  var timer = null;
  function later() { clearTimeout(timer); timer = setTimeout(run, 150); }
  get("meta.json").then(function (m) {
    meta = m;
    fill(country, meta.filters.country);
    fill(injustice, meta.filters.injustice);
    form.hidden = false;
    input.addEventListener("input", later);
    country.addEventListener("change", run);
    injustice.addEventListener("change", run);
    form.addEventListener("submit", function (e) { e.preventDefault(); run(); });
    more.addEventListener("click", function () { shown += 20; show(last, input.value); });
    var q = new URLSearchParams(location.search).get("q");
    if (q) { input.value = q; run(); }
  });
})();
