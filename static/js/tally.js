// Live totals on the tally entry form (ballots/enter.html): valid ballots, the most
// votes a post can have, and the sum typed so far. The server's checks decide; this
// only helps the typist see a slip at once.
(function () {
  "use strict";
  var form = document.getElementById("tally");
  if (!form) { return; }
  var seats = parseInt(form.getAttribute("data-seats"), 10) || 0;
  function num(el) {
    var v = (el && el.value || "").trim();
    return /^[0-9]+$/.test(v) ? parseInt(v, 10) : null;
  }
  function field(name) { return form.querySelector('[data-n="' + name + '"]'); }
  function show(name, text) {
    var out = form.querySelector('[data-out="' + name + '"]');
    if (out) { out.textContent = text; }
  }
  function update() {
    var returned = num(field("returned")), blank = num(field("blank")), invalid = num(field("invalid"));
    var valid = (returned === null || blank === null || invalid === null) ? null : Math.max(0, returned - blank - invalid);
    show("valid", valid === null ? "—" : String(valid));
    show("max", valid === null ? "—" : String(valid * seats));
    var sum = 0;
    form.querySelectorAll("[data-vote]").forEach(function (el) { sum += num(el) || 0; });
    var out = form.querySelector('[data-out="sum"]');
    if (out) {
      out.textContent = String(sum);
      out.classList.toggle("text-danger", valid !== null && sum > valid * seats);
    }
  }
  form.addEventListener("input", update);
  update();
})();
