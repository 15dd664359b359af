// Runs before the page is drawn: the remembered view (compact or expanded) and, when the URL
// carries a filter, the list stays invisible until site.js has applied it (no layout shift).
(function () {
  "use strict";
  var root = document.documentElement, params = new URLSearchParams(location.search);
  var view = params.get("view");
  if (view !== "compact" && view !== "expanded") {
    try { view = localStorage.getItem("arxiv-digest:view"); } catch (e) { view = null; }
  }
  // without scripts the page shows every paper's details (no "compact" class, no buttons)
  root.classList.add("js", view === "expanded" ? "expanded" : "compact");
  if (params.get("cat") || params.get("q")) {
    root.classList.add("pending");
    // site.js shows the list once the filter is applied; should it ever fail, show it anyway
    setTimeout(function () { root.classList.remove("pending"); }, 1500);
  }
})();
