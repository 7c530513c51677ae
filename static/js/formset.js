// "Add a row" for Django formsets: clones the <template> and renumbers __prefix__.
(function () {
  "use strict";
  document.querySelectorAll("[data-formset]").forEach(function (container) {
    const prefix = container.dataset.formsetPrefix;
    const total = container.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    const rows = container.querySelector("[data-formset-rows]");
    const template = container.querySelector("[data-formset-template]");
    const add = container.querySelector("[data-formset-add]");
    if (!total || !rows || !template || !add) { return; }
    add.addEventListener("click", function () {
      const index = parseInt(total.value, 10);
      const html = template.innerHTML.replace(/__prefix__/g, String(index));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      const first = rows.lastElementChild.querySelector("select, input");
      if (first) { first.focus(); }
    });
  });
})();
