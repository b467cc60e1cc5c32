"use strict";
// hullcheck's HTML report: builds the findings from the page's JSON (never from HTML strings:
// every scanned string reaches the page through textContent) and filters them. The filter lives
// in the URL fragment, so a filtered view can be bookmarked and shared.
(function () {
  const data = JSON.parse(document.getElementById("hullcheck-data").textContent);
  const findings = data.findings;
  const list = document.getElementById("findings");
  const status = document.getElementById("shown-count");
  const controls = {
    rule: document.getElementById("f-rule"),
    family: document.getElementById("f-family"),
    where: document.getElementById("f-where"),
    q: document.getElementById("f-text"),
    sup: document.getElementById("f-suppressed"),
    change: document.getElementById("f-change"),
  };
  const sevBoxes = Array.from(document.querySelectorAll("input[name=sev]"));

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function option(select, value, label) {
    const o = el("option", null, label);
    o.value = value;
    select.appendChild(o);
  }

  function fillSelects() {
    const rules = new Map();
    const families = new Set();
    for (const f of findings) {
      if (!rules.has(f.rule)) rules.set(f.rule, f.title);
      families.add(f.family);
    }
    for (const id of Array.from(rules.keys()).sort()) option(controls.rule, id, id + " " + rules.get(id));
    for (const fam of Array.from(families).sort()) option(controls.family, fam, fam);
  }

  function detail(dl, term, value) {
    if (value === null || value === undefined || value === "" ||
        (Array.isArray(value) && value.length === 0)) return;
    dl.appendChild(el("dt", null, term));
    const dd = el("dd");
    if (Array.isArray(value)) {
      const ul = el("ul", "inline");
      for (const v of value) ul.appendChild(el("li", null, v));
      dd.appendChild(ul);
    } else {
      dd.textContent = String(value);
    }
    dl.appendChild(dd);
  }

  function build(f) {
    const art = el("article", "finding sev-" + f.severity);
    const head = el("h3", "finding-head");
    head.appendChild(el("span", "badge sev-" + f.severity, f.severity));
    if (f.change) head.appendChild(el("span", "badge change-" + f.change, f.change));
    if (f.suppressed) head.appendChild(el("span", "badge suppressed", "suppressed"));
    head.appendChild(el("span", "rule", f.rule));
    head.appendChild(el("span", "title", f.title));
    art.appendChild(head);
    art.appendChild(el("p", "message", f.message));
    const dl = el("dl");
    detail(dl, "Location", f.where);
    detail(dl, "Evidence", f.evidence);
    detail(dl, "Fix", f.remediation);
    detail(dl, "References", f.references);
    if (f.suppressed) {
      detail(dl, "Suppressed", "by " + f.suppressed.by + (f.suppressed.reason ? ": " + f.suppressed.reason : ""));
    }
    detail(dl, "Found in", f.places);
    detail(dl, "Fingerprint", f.fingerprint);
    art.appendChild(dl);
    return art;
  }

  // One row per finding: what the filters read, and its element, built the first time it is
  // listed (a page lists PAGE findings at a time: 10,000 elements laid out at once take seconds).
  function row(f) {
    const hay = [f.rule, f.title, f.message, f.evidence, f.remediation, f.where,
      f.references.join(" "), f.places.join(" ")].join("\n").toLowerCase();
    return { f: f, node: null, hay: hay, where: f.where.toLowerCase() };
  }

  function readHash() {
    const p = new URLSearchParams(location.hash.slice(1));
    const sev = p.get("sev");
    const wanted = sev ? new Set(sev.split(",")) : null;
    for (const b of sevBoxes) b.checked = wanted === null || wanted.has(b.value);
    for (const key of ["rule", "family", "where", "q", "change"]) {
      if (controls[key]) controls[key].value = p.get(key) || "";
    }
    controls.sup.checked = p.get("sup") === "hide";
  }

  function writeHash() {
    const p = new URLSearchParams();
    const sev = sevBoxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    if (sev.length !== sevBoxes.length) p.set("sev", sev.join(","));
    for (const key of ["rule", "family", "where", "q", "change"]) {
      if (controls[key] && controls[key].value) p.set(key, controls[key].value);
    }
    if (controls.sup.checked) p.set("sup", "hide");
    const hash = p.toString();
    if (hash !== location.hash.slice(1)) {
      history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
    }
  }

  const PAGE = 500;
  let rows = [];
  let matches = [];
  let limit = PAGE;
  const more = document.getElementById("show-more");
  const all = document.getElementById("show-all");

  function list_(upTo) {
    limit = Math.min(upTo, matches.length);
    const frag = document.createDocumentFragment();
    for (let i = 0; i < limit; i++) {
      const r = matches[i];
      if (r.node === null) r.node = build(r.f);
      frag.appendChild(r.node);
    }
    list.replaceChildren(frag);
    const rest = matches.length - limit;
    more.hidden = all.hidden = rest <= 0;
    more.textContent = "Show " + Math.min(rest, PAGE) + " more";
    all.textContent = "Show all " + matches.length;
    let text = "Showing " + matches.length + " of " + rows.length + " findings";
    if (rest > 0) text += " (" + limit + " listed)";
    status.textContent = text;
  }

  function apply() {
    const sev = new Set(sevBoxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; }));
    const rule = controls.rule.value;
    const family = controls.family.value;
    const where = controls.where.value.trim().toLowerCase();
    const q = controls.q.value.trim().toLowerCase();
    const hideSup = controls.sup.checked;
    const change = controls.change ? controls.change.value : "";
    matches = rows.filter(function (r) {
      const f = r.f;
      return sev.has(f.severity) && (!rule || f.rule === rule) && (!family || f.family === family) &&
        (!where || r.where.includes(where)) && (!q || r.hay.includes(q)) &&
        !(hideSup && f.suppressed) && (!change || f.change === change);
    });
    list_(PAGE);
    document.getElementById("no-match").hidden = matches.length !== 0 || rows.length === 0;
  }

  let timer = 0;
  function changed(delay) {
    clearTimeout(timer);
    timer = setTimeout(function () { writeHash(); apply(); }, delay);
  }

  fillSelects();
  rows = findings.map(row);
  readHash();
  apply();
  for (const b of sevBoxes) b.addEventListener("change", function () { changed(0); });
  for (const key of ["rule", "family", "sup", "change"]) {
    if (controls[key]) controls[key].addEventListener("change", function () { changed(0); });
  }
  for (const key of ["where", "q"]) controls[key].addEventListener("input", function () { changed(150); });
  document.getElementById("f-reset").addEventListener("click", function () {
    history.replaceState(null, "", location.pathname + location.search);
    readHash();
    apply();
  });
  // A fragment without "=" is an anchor (the skip link's): it moves focus, not the filters.
  window.addEventListener("hashchange", function () {
    if (location.hash.length > 1 && location.hash.indexOf("=") === -1) return;
    readHash();
    apply();
  });
  more.addEventListener("click", function () { list_(limit + PAGE); });
  all.addEventListener("click", function () { list_(matches.length); });
  // Printing lists every finding the filters keep.
  window.addEventListener("beforeprint", function () { list_(matches.length); });
  document.documentElement.classList.add("js");
  document.body.setAttribute("data-ready", "1");
})();
