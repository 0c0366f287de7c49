/* Live filter of a list: a form with data-live-filter="<id of the list container>" and a
 * search input. Items carry data-filter-text; groups (data-filter-group) with no visible
 * item are hidden. The form still works without JavaScript (it submits ?q=). */
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-live-filter]");
  Array.prototype.forEach.call(forms, function (form) {
    var list = document.getElementById(form.getAttribute("data-live-filter"));
    var input = form.querySelector("input[type=search]");
    var status = form.querySelector("[role=status]");
    if (!list || !input) { return; }
    var items = list.querySelectorAll("[data-filter-text]");
    function apply() {
      var query = input.value.trim().toLowerCase();
      var shown = 0;
      Array.prototype.forEach.call(items, function (item) {
        var match = !query || item.getAttribute("data-filter-text").indexOf(query) !== -1;
        item.hidden = !match;
        if (match) { shown += 1; }
      });
      Array.prototype.forEach.call(list.querySelectorAll("[data-filter-group]"), function (group) {
        group.hidden = !group.querySelector("[data-filter-text]:not([hidden])");
      });
      if (status) {
        var template = shown ? status.getAttribute("data-template-some") : status.getAttribute("data-template-none");
        status.textContent = template.replace("{shown}", shown).replace("{total}", items.length);
      }
    }
    input.addEventListener("input", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
  });
})();
