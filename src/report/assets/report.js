(function () {
  "use strict";
  var filter = document.getElementById("filter");
  if (!filter) { return; }
  var boxes = filter.querySelectorAll("input[type=checkbox]");
  function apply() {
    var hidden = {};
    for (var i = 0; i < boxes.length; i++) {
      if (!boxes[i].checked) { hidden[boxes[i].value] = true; }
    }
    var items = document.querySelectorAll("[data-outcome]");
    for (var j = 0; j < items.length; j++) {
      items[j].hidden = hidden[items[j].getAttribute("data-outcome")] === true;
    }
  }
  // "#hide=pass,not_covered" starts with those outcomes hidden (a link can carry a view).
  var match = /(?:^#|&)hide=([a-z_,]*)/.exec(window.location.hash);
  if (match) {
    var hide = match[1].split(",");
    for (var h = 0; h < boxes.length; h++) {
      if (hide.indexOf(boxes[h].value) !== -1) { boxes[h].checked = false; }
    }
  }
  filter.addEventListener("change", apply);
  var toggle = document.getElementById("expand");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var all = document.querySelectorAll("details");
      var open = toggle.getAttribute("aria-pressed") !== "true";
      for (var k = 0; k < all.length; k++) { all[k].open = open; }
      toggle.setAttribute("aria-pressed", open ? "true" : "false");
      toggle.textContent = open ? "collapse all evidence" : "expand all evidence";
    });
  }
  filter.hidden = false;
  apply();
  document.documentElement.setAttribute("data-js", "ready");
})();
