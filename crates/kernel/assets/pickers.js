// Progressive enhancement for code and employer pickers. Without JavaScript the
// plain <select> and text inputs post as they are and the server fills in a
// registered employer from its credit code. With it:
// - select[data-filter]: a box above the list hides the codes that do not
//   contain what is typed, and picks the only one left;
// - input[data-lookup=employer|credit]: looks employers up by name or credit
//   code (/api/v1/employers/lookup, staff only) and, once one is picked or a
//   full credit code is typed, fills the empty employer fields of the form;
// - input[data-lookup=region]: offers regions by name or code (/api/v1/regions).
(function () {
  function lookup(url, done) {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) done(data); })
      .catch(function () {});
  }

  function debounce(fn) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, 200);
    };
  }

  function offer(list, items) {
    list.innerHTML = "";
    items.forEach(function (item) {
      var option = document.createElement("option");
      option.value = item[0];
      option.label = item[1];
      option.textContent = item[1];
      list.appendChild(option);
    });
  }

  document.querySelectorAll("select[data-filter]").forEach(function (select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "picker-filter";
    box.id = select.id + "-filter";
    box.placeholder = select.dataset.filter;
    box.setAttribute("aria-label", select.dataset.filter);
    box.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var q = box.value.trim().toLowerCase();
      var shown = [];
      Array.prototype.forEach.call(select.options, function (option) {
        var match = option.value === "" || option.textContent.toLowerCase().indexOf(q) >= 0;
        option.hidden = !match;
        if (match && option.value !== "") shown.push(option);
      });
      if (q && shown.length === 1) select.value = shown[0].value;
    });
  });

  var form = document.querySelector("form[data-pickers]");
  if (!form) return;
  var field = function (name) { return form.elements.namedItem(name); };
  var found = {};

  // Fills what is still empty, as the server does on save.
  function fill(card) {
    var values = {
      employer_name: card.name,
      credit_code: card.credit_code,
      nature_code: card.nature_code,
      industry_code: card.industry_code,
      region_code: card.region_code
    };
    Object.keys(values).forEach(function (name) {
      var input = field(name);
      if (input && !input.value && values[name]) input.value = values[name];
    });
  }

  function employers(q, then) {
    lookup("/api/v1/employers/lookup?q=" + encodeURIComponent(q), function (cards) {
      cards.forEach(function (c) { found[c.name] = c; found[c.credit_code] = c; });
      then(cards);
    });
  }

  var name = form.querySelector("input[data-lookup=employer]");
  var nameList = name && document.getElementById(name.getAttribute("list"));
  if (name && nameList) {
    name.addEventListener("input", debounce(function () {
      var q = name.value.trim();
      if (found[q]) return fill(found[q]);
      if (q.length < 2) return;
      employers(q, function (cards) {
        offer(nameList, cards.map(function (c) { return [c.name, c.credit_code]; }));
        if (found[name.value.trim()]) fill(found[name.value.trim()]);
      });
    }));
  }

  var credit = form.querySelector("input[data-lookup=credit]");
  if (credit) {
    credit.addEventListener("input", debounce(function () {
      var code = credit.value.replace(/[\s-]/g, "").toUpperCase();
      if (code.length !== 18) return;
      employers(code, function (cards) {
        cards.filter(function (c) { return c.credit_code === code; }).forEach(fill);
      });
    }));
  }

  var region = form.querySelector("input[data-lookup=region]");
  var regionList = region && document.getElementById(region.getAttribute("list"));
  if (region && regionList) {
    region.addEventListener("input", debounce(function () {
      var q = region.value.trim();
      if (q.length < 2 || /^\d{6}$/.test(q)) return;
      lookup("/api/v1/regions?q=" + encodeURIComponent(q), function (page) {
        offer(regionList, page.items.slice(0, 20).map(function (r) { return [r.code, r.code + " " + r.name]; }));
      });
    }));
  }
})();
