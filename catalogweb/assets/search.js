// Instant search on the catalog's home page: results follow the search box
// as you type (the page works the same without JavaScript).
(function () {
  "use strict";
  var box = document.getElementById("q");
  var results = document.getElementById("results");
  if (!box || !results || !document.getElementById("home")) { return; }
  var timer = null, seq = 0;
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text) { e.textContent = text; }
    return e;
  }
  function render(products) {
    results.textContent = "";
    if (products.length === 0) { results.appendChild(el("li", "empty muted", "No products match.")); return; }
    products.forEach(function (p) {
      var li = el("li", p.granted ? "card" : "card locked");
      var a = el("a", "title", p.id);
      a.href = "/products/" + encodeURIComponent(p.id);
      li.appendChild(a);
      li.appendChild(el("span", "pill status-" + p.status, p.status));
      li.appendChild(el("span", p.granted ? "pill ok" : "pill no", p.granted ? "granted" : "no access"));
      li.appendChild(el("p", "", p.description));
      li.appendChild(el("p", "meta muted", p.owner + " · v" + p.version + " · " + p.type +
        (p.tags.length ? " · " + p.tags.map(function (t) { return "#" + t; }).join(" ") : "")));
      results.appendChild(li);
    });
  }
  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var mine = ++seq;
      fetch("/api/v1/products?limit=50&q=" + encodeURIComponent(box.value.slice(0, 200)), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) { if (body && mine === seq) { render(body.products); } })
        .catch(function () {});
    }, 150);
  });
})();
