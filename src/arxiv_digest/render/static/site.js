// arxiv-digest pages: filters kept in the URL, views, highlights, keys, stars, copy links.
// Plain DOM, no innerHTML, no network: everything shown comes from the page or local storage.
(function () {
  "use strict";
  var root = document.documentElement;
  var KEY_VIEW = "arxiv-digest:view", KEY_STARS = "arxiv-digest:stars";
  var KEY_KW = "arxiv-digest:keywords", KEY_AU = "arxiv-digest:authors";

  function store(key, value) { try { localStorage.setItem(key, value); } catch (e) { /* private */ } }
  function load(key) { try { return localStorage.getItem(key) || ""; } catch (e) { return ""; } }
  function stars() {
    try { var s = JSON.parse(load(KEY_STARS) || "{}"); return s && typeof s === "object" ? s : {}; }
    catch (e) { return {}; }
  }
  function saveStars(s) { store(KEY_STARS, JSON.stringify(s)); }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function download(name, type, text) {
    var url = URL.createObjectURL(new Blob([text], {type: type}));
    var a = el("a");
    a.href = url; a.download = name;
    document.body.appendChild(a); a.click(); a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  // -- every day's search (the archive page): Pagefind's UI over its static index -----------
  // One record per paper; Chinese, Japanese and Korean text is indexed a character per word
  // (search_index.spaced), so a word in those scripts is searched as the phrase of its
  // characters: found exactly where it stands, as the Python reference (search_index.holds)
  var CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff";
  var box = document.getElementById("search");
  if (box && typeof window.PagefindUI === "function") {
    var hasCjk = new RegExp("[" + CJK + "]");
    var spacedRe = new RegExp("([" + CJK + "])(?=\\S)|(\\S)(?=[" + CJK + "])", "g");
    var joinRe = new RegExp("([" + CJK + "])((?:</?mark>)*) (?=(?:</?mark>)*[" + CJK + "])", "g");
    var lastTerm = "";
    var asSearched = function (term) {
      lastTerm = term.replace(/"/g, "").trim();
      // as the index holds text: CJK characters apart, joined words apart (search_index.spaced)
      var spaced = term.replace(/(\w)[-\u2010\u2011/](?=\w)/g, "$1 ")
        .replace(spacedRe, "$1$2 ").replace(/\s+/g, " ").trim();
      // one word or phrase that the index holds as several: the phrase of its parts
      var one = term.replace(/"/g, "").trim();
      if (!/\s/.test(one) && spaced.indexOf(" ") > 0) return '"' + spaced.replace(/"/g, "") + '"';
      return spaced;
    };
    var opened = function (result) {
      var href = (result.meta && result.meta.href) || "";
      var cut = href.indexOf("#");
      if (cut > 0) {
        result.url = href.slice(0, cut) + "?hl=" + encodeURIComponent(lastTerm) + href.slice(cut);
      }
      result.excerpt = (result.excerpt || "").replace(joinRe, "$1$2");
      if (result.meta && result.meta.name) result.meta.title = result.meta.name;
      return result;
    };
    window.arxivDigestSearch = {term: asSearched, result: opened};  // what tests check
    new window.PagefindUI({
      element: "#search", showSubResults: false, showImages: false,
      processTerm: asSearched, processResult: opened
    });
    // Pagefind's box gets the page's visible label
    var input = box.querySelector("input");
    if (input) input.id = "search-input";
  }

  // -- the starred page ----------------------------------------------------------------------
  var starredList = document.getElementById("starred");
  if (starredList) {
    var bibtexText = function (s) {
      return "{" + String(s).replace(/[{}\\]/g, "").replace(/[%&#_$]/g, "\\$&") + "}";
    };
    var renderStarred = function () {
      var s = stars(), ids = Object.keys(s).sort(function (a, b) {
        return (s[b].d || "").localeCompare(s[a].d || "") || a.localeCompare(b);
      });
      while (starredList.firstChild) starredList.removeChild(starredList.firstChild);
      ids.forEach(function (id) {
        var p = s[id], li = el("li"), a = el("a", p.t || id);
        a.href = /^\d{4}-\d{2}-\d{2}$/.test(p.d || "") ? p.d + ".html#p" + id.replace(/[^A-Za-z0-9._-]/g, "-")
          : "https://arxiv.org/abs/" + encodeURIComponent(id);
        li.appendChild(a);
        li.appendChild(el("span", " " + (p.a || []).slice(0, 4).join(", ") + ((p.a || []).length > 4 ? ", …" : ""), "au"));
        li.appendChild(el("span", " " + id + (p.d ? " · " + p.d : "") + (p.c ? " · " + p.c : ""), "count"));
        starredList.appendChild(li);
      });
      document.getElementById("starred-count").textContent = ids.length ? String(ids.length) : "";
      document.getElementById("starred-none").hidden = ids.length > 0;
      return ids;
    };
    renderStarred();
    document.getElementById("export-bibtex").addEventListener("click", function () {
      var s = stars(), out = [];
      renderStarred().forEach(function (id) {
        var p = s[id], year = (p.d || "").slice(0, 4);
        var fields = [
          "  title = {" + bibtexText(p.t || id) + "}",
          "  author = " + bibtexText((p.a || []).join(" and ")),
          "  eprint = {" + id + "}",
          "  archivePrefix = {arXiv}",
          "  url = {https://arxiv.org/abs/" + id + "}"
        ];
        if (p.c) fields.push("  primaryClass = {" + p.c + "}");
        if (/^\d{4}$/.test(year)) fields.push("  year = {" + year + "}");
        out.push("@misc{arxiv:" + id + ",\n" + fields.join(",\n") + "\n}\n");
      });
      download("starred.bib", "application/x-bibtex", out.join("\n"));
    });
    document.getElementById("export-json").addEventListener("click", function () {
      var s = stars(), papers = renderStarred().map(function (id) {
        return {id: id, title: s[id].t || "", date: s[id].d || "", starred: s[id].at || ""};
      });
      download("starred.json", "application/json",
        JSON.stringify({schema: "arxiv-digest/stars-1", papers: papers}, null, 1) + "\n");
    });
    document.getElementById("clear-stars").addEventListener("click", function (ev) {
      if (!window.confirm(ev.currentTarget.getAttribute("data-confirm"))) return;
      saveStars({}); renderStarred();
    });
  }

  // -- the day page ----------------------------------------------------------------------------
  var papers = Array.prototype.slice.call(document.querySelectorAll("article.paper"));
  if (!papers.length) { root.classList.remove("pending"); return; }
  var q = document.getElementById("q");
  var shown = document.getElementById("shown");
  var viewButton = document.getElementById("view");
  var catButtons = Array.prototype.slice.call(document.querySelectorAll("#cats button"));
  var topicButtons = Array.prototype.slice.call(document.querySelectorAll(".topics button"));
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.sec"));
  var forYou = Array.prototype.slice.call(document.querySelectorAll("#for-you li"));
  var forYouBox = document.getElementById("for-you");
  var kwInput = document.getElementById("hl-keywords");
  var auInput = document.getElementById("hl-authors");
  var day = (document.querySelector("nav.site .day") || {}).textContent || "";
  var params = new URLSearchParams(location.search);
  var activeCat = "";
  // what the filter searches: title, authors, TL;DR, fields and abstract (loaded or not), as
  // glance.filter_text says; never related titles, provenance or button text
  var absText = {};
  function own(p) {
    var parts = [];
    p.querySelectorAll(".t, .tldr, dd, p.abs").forEach(function (e) { parts.push(e.textContent); });
    var au = p.querySelector(".au");
    if (au) {
      var names = au.cloneNode(true);
      names.querySelectorAll("summary").forEach(function (e) { e.parentNode.removeChild(e); });
      parts.push(names.textContent);
    }
    var abs = absText[p.getAttribute("data-id")];
    if (abs) parts.push(abs);
    return parts.join("\n").toLowerCase();
  }
  var hay = papers.map(own);

  function terms(text) {
    return text.split(",").map(function (t) { return t.trim().toLowerCase(); })
      .filter(function (t) { return t.length > 1; });
  }
  function expanded() { return root.classList.contains("expanded"); }

  // the state a URL carries: ?cat=cs.IR&q=graph&view=compact (the day is the page itself)
  function writeUrl() {
    var p = new URLSearchParams();
    if (activeCat) p.set("cat", activeCat);
    if (q.value.trim()) p.set("q", q.value.trim());
    p.set("view", expanded() ? "expanded" : "compact");
    try { history.replaceState(null, "", "?" + p.toString() + location.hash); } catch (e) { /* file:// */ }
  }

  // showing hundreds of papers at once (a filter cleared on a 500-paper day) costs a frame's
  // time in style and layout alone; on a day of more than BIG papers, the first SHOW_NOW from
  // the first one on screen come at once (a window shows a dozen at most), the rest in the
  // next frames, and <html data-pending> says so meanwhile (bench/page.py)
  var BIG = 150, SHOW_NOW = 40, SHOW_PER_FRAME = 120;
  var later = [], laterFrame = 0;
  var sectionOf = papers.map(function (p) { return sections.indexOf(p.closest("section.sec")); });
  var forYouOf = forYou.map(function (li) {
    var target = document.getElementById((li.querySelector("a").getAttribute("href") || "").slice(1));
    return papers.indexOf(target);
  });
  function firstOnScreen() {  // the first shown paper not wholly above the window
    var on = [];
    for (var i = 0; i < papers.length; i++) if (!papers[i].hidden) on.push(i);
    var lo = 0, hi = on.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (papers[on[mid]].getBoundingClientRect().bottom <= 0) lo = mid + 1; else hi = mid;
    }
    return lo < on.length ? on[lo] : 0;
  }
  function showLater() {
    later.splice(0, SHOW_PER_FRAME).forEach(function (i) { papers[i].hidden = false; });
    if (later.length) laterFrame = requestAnimationFrame(showLater);
    else root.removeAttribute("data-pending");
  }

  function apply(typed) {  // typed: from the filter box, where a step waits its frame
    var words = terms(q.value.replace(/\s+/g, ","));
    if (words.length && !absState) loadAbstracts();  // the filter searches abstracts too
    cancelAnimationFrame(laterFrame);
    later = [];  // papers still waiting are hidden yet: the loop below decides on them anew
    var from = typed ? firstOnScreen() : 0;  // read before any change: the layout is clean
    var count = 0, want = [], shows = [];
    for (var i = 0; i < papers.length; i++) {
      var p = papers[i], ok = !activeCat || p.getAttribute("data-cat") === activeCat;
      for (var j = 0; ok && j < words.length; j++) ok = hay[i].indexOf(words[j]) >= 0;
      want.push(ok);
      if (ok) count++;
      if (p.hidden !== ok) continue;  // touch only what changes
      if (ok) shows.push(i); else p.hidden = true;
    }
    var now = 0, all = !typed || papers.length <= BIG || shows.length <= SHOW_NOW;
    shows.forEach(function (i) {
      if (all || (i >= from && now < SHOW_NOW)) { papers[i].hidden = false; now++; } else later.push(i);
    });
    if (later.length) {
      root.setAttribute("data-pending", "");
      // after the frame that paints this keystroke: the first step would be in it otherwise
      laterFrame = requestAnimationFrame(function () { laterFrame = requestAnimationFrame(showLater); });
    } else root.removeAttribute("data-pending");
    var full = sections.map(function () { return false; });
    want.forEach(function (ok, i) { if (ok && sectionOf[i] >= 0) full[sectionOf[i]] = true; });
    sections.forEach(function (s, k) { if (s.hidden !== !full[k]) s.hidden = !full[k]; });
    var left = 0;
    forYou.forEach(function (li, k) {
      var off = forYouOf[k] < 0 || !want[forYouOf[k]];
      if (li.hidden !== off) li.hidden = off;
      if (!off) left++;
    });
    if (forYouBox) forYouBox.hidden = left === 0;
    catButtons.forEach(function (b) {
      var on = b.getAttribute("data-cat") === activeCat;
      b.classList.toggle("on", on);
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
    topicButtons.forEach(function (b) {
      b.setAttribute("aria-pressed", q.value.trim().toLowerCase() === b.getAttribute("data-q").toLowerCase() ? "true" : "false");
    });
    shown.textContent = shown.getAttribute("data-text").replace("{n}", count).replace("{total}", papers.length);
  }

  // -- highlights: whole words for Latin text, any run for Chinese ---------------------------
  function unmark(el) {
    var marks = el.querySelectorAll("mark.kw");
    if (!marks.length) return;
    for (var i = 0; i < marks.length; i++) {
      marks[i].parentNode.replaceChild(document.createTextNode(marks[i].textContent), marks[i]);
    }
    el.normalize();
  }
  var WORDCHAR = /[a-z0-9]/;
  function boundary(text, at, len, word) {
    if (!WORDCHAR.test(word.charAt(0)) && !WORDCHAR.test(word.charAt(word.length - 1))) return true;
    var before = at > 0 ? text.charAt(at - 1) : " ", after = text.charAt(at + len) || " ";
    return !(WORDCHAR.test(word.charAt(0)) && WORDCHAR.test(before)) &&
      !(WORDCHAR.test(word.charAt(word.length - 1)) && WORDCHAR.test(after));
  }
  function markIn(el, word, prefix) {
    if (!el) return false;
    var walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT, null);
    var nodes = [], n, found = false;
    while ((n = walker.nextNode())) nodes.push(n);
    nodes.forEach(function (node) {
      var text = node.nodeValue.toLowerCase(), from = 0, at;
      while ((at = text.indexOf(word, from)) >= 0) {
        // a search's word is found where a word starts with it (Pagefind matches prefixes)
        var ok = prefix ? !WORDCHAR.test(word.charAt(0)) || at === 0 || !WORDCHAR.test(text.charAt(at - 1))
          : boundary(text, at, word.length, word);
        if (!ok) { from = at + 1; continue; }
        var rest = node.splitText(at), after = rest.splitText(word.length);
        var mark = el.ownerDocument.createElement("mark");
        mark.className = "kw";
        mark.textContent = rest.nodeValue;
        rest.parentNode.replaceChild(mark, rest);
        found = true;
        node = after; text = node.nodeValue.toLowerCase(); from = 0;
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
        p.querySelectorAll(".t, .tldr, dd, .abs, .ab p").forEach(function (e) { hit = markIn(e, w) || hit; });
      });
      aus.forEach(function (w) { hit = markIn(p.querySelector(".au"), w) || hit; });
      p.classList.toggle("hl", hit);
    });
  }

  // -- abstracts of summarized papers: loaded from DATE.abs.js when a reader first opens one --
  var MATHML = "http://www.w3.org/1998/Math/MathML";
  var MATH_TAG = /^(m[a-z]+|semantics|annotation)$/, MATH_ATTR = /^[a-z]+$/;
  var absState = 0;  // 0 not asked, 1 loading, 2 done
  function build(node) {
    if (typeof node === "string") return document.createTextNode(node);
    if (!Array.isArray(node) || !MATH_TAG.test(node[0])) return document.createTextNode("");
    var e = document.createElementNS(MATHML, node[0]);
    Object.keys(node[1] || {}).forEach(function (k) {
      if (MATH_ATTR.test(k) && k.indexOf("on") !== 0 && k !== "href") e.setAttribute(k, String(node[1][k]));
    });
    (node[2] || []).forEach(function (c) { e.appendChild(build(c)); });
    return e;
  }
  function flat(node) {
    if (typeof node === "string") return node;
    return Array.isArray(node) ? (node[2] || []).map(flat).join("") : "";
  }
  function fillAbstracts() {
    var all = (window.ARXIV_DIGEST_ABSTRACTS || {})[day] || {};
    papers.forEach(function (p, i) {
      var slot = p.querySelector("p[data-abs]"), parts = all[p.getAttribute("data-id")];
      if (!Array.isArray(parts)) return;
      absText[p.getAttribute("data-id")] = parts.map(flat).join("");
      hay[i] = own(p);
      if (!slot) return;
      slot.textContent = "";
      parts.forEach(function (part) { slot.appendChild(build(part)); });
      slot.removeAttribute("data-abs");
    });
    absState = 2;
    if (q.value.trim()) apply();
    if (kwInput.value) highlight();
    document.dispatchEvent(new Event("arxiv-digest:abstracts"));
  }
  function loadAbstracts() {
    if (absState) return;
    absState = 1;
    var s = document.createElement("script");
    s.src = document.querySelector(".list").getAttribute("data-abstracts");
    s.onload = fillAbstracts;
    s.async = true;
    s.onerror = function () { absState = 0; document.dispatchEvent(new Event("arxiv-digest:abstracts")); };
    document.head.appendChild(s);
  }
  document.addEventListener("toggle", function (ev) {
    if (ev.target.classList && ev.target.classList.contains("ab") && ev.target.open) loadAbstracts();
  }, true);

  // -- views ---------------------------------------------------------------------------------
  function setView(view, remember) {
    root.classList.toggle("expanded", view === "expanded");
    root.classList.toggle("compact", view !== "expanded");
    viewButton.setAttribute("aria-pressed", view === "expanded" ? "true" : "false");
    if (remember) { store(KEY_VIEW, view); writeUrl(); }
  }
  viewButton.addEventListener("click", function () {
    var anchorPaper = current();
    setView(expanded() ? "compact" : "expanded", true);
    if (anchorPaper >= 0) bring(visible()[anchorPaper]);
  });
  function toggleOpen(p) {
    if (expanded()) {
      var d = p.querySelector("details.ab");
      if (d) d.open = !d.open;
      return;
    }
    var open = p.classList.toggle("open");
    var b = p.querySelector("button.more");
    if (b) b.setAttribute("aria-expanded", open ? "true" : "false");
  }

  // -- stars and links -----------------------------------------------------------------------
  var starred = stars();
  function paperInfo(p) {
    var au = p.querySelector(".au"), names = [];
    if (au) {
      var first = au.firstChild ? au.firstChild.nodeValue || "" : "";
      var rest = au.querySelector("details");
      names = first.split(", ");
      if (rest) names = names.concat((rest.lastChild.nodeValue || "").split(", "));
    }
    return {
      t: (p.querySelector("a.t") || {}).textContent || "",
      a: names.map(function (s) { return s.trim(); }).filter(Boolean),
      d: day, c: p.getAttribute("data-cat") || "", at: new Date().toISOString().slice(0, 10)
    };
  }
  papers.forEach(function (p) {
    var id = p.getAttribute("data-id");
    var star = p.querySelector("button.star");
    if (starred[id]) { star.setAttribute("aria-pressed", "true"); star.textContent = "\u2605"; }
  });
  function permalink(p) {
    var base = document.body.getAttribute("data-url") || location.href.split("#")[0].split("?")[0];
    return base + "#" + p.id;
  }
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest ? ev.target.closest("button") : null;
    if (!b) return;
    var p = b.closest("article.paper");
    if (b.classList.contains("chip")) {
      if (b.hasAttribute("data-cat")) activeCat = b.getAttribute("data-cat");
      else q.value = q.value.trim().toLowerCase() === b.getAttribute("data-q").toLowerCase() ? "" : b.getAttribute("data-q");
      apply(); writeUrl();
    } else if (p && b.classList.contains("star")) {
      var s = stars(), id = p.getAttribute("data-id");
      if (s[id]) delete s[id]; else s[id] = paperInfo(p);
      saveStars(s);
      b.setAttribute("aria-pressed", s[id] ? "true" : "false");
      b.textContent = s[id] ? "\u2605" : "\u2606";
    } else if (p && b.classList.contains("more")) {
      toggleOpen(p);
    } else if (p && b.classList.contains("copy")) {
      var url = permalink(p), label = b.textContent;
      var done = function (ok) {
        if (!ok) history.replaceState(null, "", "#" + p.id);  // the address bar has it then
        b.setAttribute("data-copied", ok ? url : "");
        b.textContent = ok ? document.querySelector(".list").getAttribute("data-copied") : "#";
        setTimeout(function () { b.textContent = label; }, 1500);
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(url).then(function () { done(true); }, function () { done(false); });
      } else done(false);
    }
  });

  // -- keys: j / k next and previous paper, o open, / filter ---------------------------------
  function visible() { return papers.filter(function (p) { return !p.hidden; }); }
  function barHeight() { var top = document.querySelector(".top"); return top ? top.getBoundingClientRect().bottom : 0; }
  // the paper being read: the focused one if it is on screen, else the first one whose top is
  // at or below the bar (so j after a mouse scroll goes on from where the reader is)
  function current() {
    var list = visible(), active = document.activeElement;
    var focused = active && active.closest ? active.closest("article.paper") : null;
    var bar = barHeight(), i = list.indexOf(focused);
    if (i >= 0) {
      var r = focused.getBoundingClientRect();
      if (r.bottom > bar && r.top < window.innerHeight) return i;
    }
    for (var k = 0; k < list.length; k++) {
      if (list[k].getBoundingClientRect().bottom > bar + 4) return -1 - k;  // "before k"
    }
    return -1 - list.length;
  }
  function bring(p) {
    if (!p) return;
    p.focus({preventScroll: true});
    var bar = barHeight(), r = p.getBoundingClientRect();
    var room = window.innerHeight - bar - 8;
    // fully visible: below the bar, and not cut at the bottom when it fits the screen
    if (r.top < bar + 4 || r.height > room) window.scrollBy(0, r.top - bar - 8);
    else if (r.bottom > window.innerHeight) window.scrollBy(0, r.bottom - window.innerHeight + 8);
  }
  document.addEventListener("keydown", function (ev) {
    var tag = (ev.target && ev.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") {
      if (ev.key === "Escape") ev.target.blur();
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var list = visible(), i = current();
    if (ev.key === "j" || ev.key === "k") {
      var next;
      if (i >= 0) next = ev.key === "j" ? Math.min(i + 1, list.length - 1) : Math.max(i - 1, 0);
      else {
        var before = -1 - i;  // the first paper not yet scrolled past
        var top = list[before] ? list[before].getBoundingClientRect().top : 0;
        var atBar = list[before] && top <= barHeight() + 12;
        next = ev.key === "j" ? (atBar ? before + 1 : before) : before - 1;
        next = Math.max(0, Math.min(next, list.length - 1));
      }
      bring(list[next]);
      ev.preventDefault();
    } else if (ev.key === "o" && list.length) {
      var at = i >= 0 ? i : Math.min(-1 - i, list.length - 1);
      toggleOpen(list[at]);
      bring(list[at]);
    } else if (ev.key === "/") {
      q.focus();
      ev.preventDefault();
    }
  });

  // -- start: the URL's state, then the reader's highlights ----------------------------------
  var wantCat = params.get("cat") || "";
  if (catButtons.some(function (b) { return b.getAttribute("data-cat") === wantCat; })) activeCat = wantCat;
  q.value = params.get("q") || "";
  setView(expanded() ? "expanded" : "compact", false);
  // the URL follows once typing pauses: history.replaceState takes ~25 ms in Chromium, more
  // than a keystroke's whole budget on a 500-paper day
  var urlTimer = 0;
  q.addEventListener("input", function () {
    apply(true);
    clearTimeout(urlTimer);
    urlTimer = setTimeout(writeUrl, 400);
  });
  kwInput.value = load(KEY_KW);
  auInput.value = load(KEY_AU);
  kwInput.addEventListener("change", function () { store(KEY_KW, kwInput.value); highlight(); });
  auInput.addEventListener("change", function () { store(KEY_AU, auInput.value); highlight(); });
  if (kwInput.value || auInput.value) highlight();
  apply();
  // a filter from the URL searches the abstracts too: the list shows once they are in, so the
  // papers that match only there do not appear under the reader's eyes
  if (absState === 1) {
    var reveal = function () { root.classList.remove("pending"); };
    setTimeout(reveal, 1200);
    document.addEventListener("arxiv-digest:abstracts", reveal);
  } else {
    root.classList.remove("pending");
  }
  // a permalink opens its paper and lands it under the bar, whatever the filter
  var target = location.hash.length > 2 ? document.getElementById(location.hash.slice(1)) : null;
  if (target && target.classList.contains("paper")) {
    if (target.hidden) { activeCat = ""; q.value = ""; apply(); }
    if (!expanded()) toggleOpen(target);
    bring(target);
    // from a search result: the words it matched, marked in the paper, the abstract opened
    // when the match is there (it is loaded first)
    var found = (params.get("hl") || "").toLowerCase().match(/"[^"]+"|\S+/g) || [];
    found = found.map(function (w) { return w.replace(/"/g, "").trim(); }).filter(Boolean);
    if (found.length) {
      var markFound = function () {
        var inAbstract = false;
        found.forEach(function (w) {
          target.querySelectorAll(".t, .tldr, dd, .au").forEach(function (e) { markIn(e, w, true); });
          target.querySelectorAll(".abs, .ab p").forEach(function (e) {
            inAbstract = markIn(e, w, true) || inAbstract;
          });
        });
        var ab = target.querySelector("details.ab");
        if (inAbstract && ab) ab.open = true;
        target.classList.add("hl");
        bring(target);
      };
      if (target.querySelector("p[data-abs]") && absState !== 2) {
        document.addEventListener("arxiv-digest:abstracts", markFound, {once: true});
        loadAbstracts();
      } else markFound();
    }
  }
})();
