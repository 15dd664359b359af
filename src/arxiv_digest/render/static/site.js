// arxiv-digest day page: filter, highlight, keyboard. Plain DOM, no innerHTML, no network.
(function () {
  "use strict";
  var nav = document.getElementById("daynav");
  var days = window.ARXIV_DIGEST_DAYS;
  if (nav && Array.isArray(days)) {
    var at = days.indexOf(nav.getAttribute("data-date"));
    [[at - 1, "\u2190 "], [at + 1, " \u2192"]].forEach(function (pair, k) {
      var day = days[pair[0]];
      if (at < 0 || typeof day !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return;
      var a = document.createElement("a");
      a.href = day + ".html";
      a.rel = k ? "next" : "prev";
      a.textContent = k ? day + pair[1] : pair[1] + day;
      nav.appendChild(a);
      nav.appendChild(document.createTextNode(" "));
    });
  }
  // every day's search (the index page): Pagefind's own UI over its static index, no server
  var box = document.getElementById("search");
  if (box && typeof window.PagefindUI === "function") {
    // a Chinese word is searched as a phrase: Pagefind would match its segments anywhere
    var cjk = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]+/g;
    var phrases = function (term) {
      return term.indexOf('"') >= 0 ? term : term.replace(cjk, function (run) {
        return '"' + run + '"';
      });
    };
    new window.PagefindUI({
      element: "#search", showSubResults: true, showImages: false, processTerm: phrases
    });
  }
  var papers = Array.prototype.slice.call(document.querySelectorAll("article.paper"));
  if (!papers.length) return;
  var q = document.getElementById("q");
  var shown = document.getElementById("shown");
  var catButtons = Array.prototype.slice.call(document.querySelectorAll("#cats button"));
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.sec"));
  var kwInput = document.getElementById("hl-keywords");
  var auInput = document.getElementById("hl-authors");
  var KEY_KW = "arxiv-digest:keywords", KEY_AU = "arxiv-digest:authors";
  var activeCat = "";
  var hay = papers.map(function (p) { return p.textContent.toLowerCase(); });

  function store(key, value) { try { localStorage.setItem(key, value); } catch (e) { /* private mode */ } }
  function load(key) { try { return localStorage.getItem(key) || ""; } catch (e) { return ""; } }
  function terms(text) {
    return text.split(",").map(function (t) { return t.trim().toLowerCase(); })
      .filter(function (t) { return t.length > 1; });
  }

  function apply() {
    var words = terms(q.value.replace(/\s+/g, ","));
    var count = 0;
    for (var i = 0; i < papers.length; i++) {
      var p = papers[i], ok = !activeCat || p.getAttribute("data-cat") === activeCat;
      for (var j = 0; ok && j < words.length; j++) ok = hay[i].indexOf(words[j]) >= 0;
      if (p.hidden === ok) p.hidden = !ok;  // touch only what changes
      if (ok) count++;
    }
    sections.forEach(function (s) {
      var empty = !s.querySelector("article.paper:not([hidden])");
      if (s.hidden !== empty) s.hidden = empty;
    });
    shown.textContent = count + " of " + papers.length + " papers shown";
  }

  function unmark(root) {
    var marks = root.querySelectorAll("mark.kw");
    for (var i = 0; i < marks.length; i++) {
      var m = marks[i], text = document.createTextNode(m.textContent);
      m.parentNode.replaceChild(text, m);
    }
    root.normalize();
  }

  function markIn(el, word) {
    var walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT, null);
    var nodes = [], n;
    while ((n = walker.nextNode())) nodes.push(n);
    var found = false;
    nodes.forEach(function (node) {
      var at = node.nodeValue.toLowerCase().indexOf(word);
      while (at >= 0) {
        var rest = node.splitText(at);
        var after = rest.splitText(word.length);
        var mark = document.createElement("mark");
        mark.className = "kw";
        mark.textContent = rest.nodeValue;
        rest.parentNode.replaceChild(mark, rest);
        found = true;
        node = after;
        at = node.nodeValue.toLowerCase().indexOf(word);
      }
    });
    return found;
  }

  function highlight() {
    var kws = terms(kwInput.value), aus = terms(auInput.value);
    papers.forEach(function (p) {
      unmark(p);
      var hit = false;
      kws.forEach(function (w) {
        p.querySelectorAll(".t, .tldr, dd, .abs").forEach(function (el) { hit = markIn(el, w) || hit; });
      });
      aus.forEach(function (w) { hit = markIn(p.querySelector(".au"), w) || hit; });
      p.classList.toggle("hl", hit);
    });
  }

  q.addEventListener("input", apply);
  catButtons.forEach(function (b) {
    b.addEventListener("click", function () {
      activeCat = b.getAttribute("data-cat");
      catButtons.forEach(function (o) { o.classList.toggle("on", o === b); });
      apply();
    });
  });
  kwInput.value = load(KEY_KW);
  auInput.value = load(KEY_AU);
  kwInput.addEventListener("change", function () { store(KEY_KW, kwInput.value); highlight(); });
  auInput.addEventListener("change", function () { store(KEY_AU, auInput.value); highlight(); });

  function visible() { return papers.filter(function (p) { return !p.hidden; }); }
  function current() {
    var list = visible(), active = document.activeElement;
    return list.indexOf(active && active.closest ? active.closest("article.paper") : null);
  }
  document.addEventListener("keydown", function (ev) {
    var tag = (ev.target && ev.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA") {
      if (ev.key === "Escape") ev.target.blur();
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var list = visible(), i = current();
    if (ev.key === "j" || ev.key === "k") {
      var next = ev.key === "j" ? Math.min(i + 1, list.length - 1) : Math.max(i - 1, 0);
      if (list[next]) { list[next].focus(); list[next].scrollIntoView({block: "start"}); }
      ev.preventDefault();
    } else if (ev.key === "o" && i >= 0) {
      var d = list[i].querySelector("details");
      if (d) d.open = !d.open;
    } else if (ev.key === "/") {
      q.focus();
      ev.preventDefault();
    }
  });

  highlight();
  apply();
})();
