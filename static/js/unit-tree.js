// Filters the unit tree as the user types, ignoring Vietnamese accents ("hai quan" finds "Hải quan").
(function () {
  "use strict";
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D")
      .toLowerCase().replace(/\s+/g, " ").trim();
  }
  const input = document.querySelector("[data-tree-filter]");
  if (!input) { return; }
  const tree = document.querySelector(input.dataset.treeFilter);
  if (!tree) { return; }
  const empty = document.querySelector("[data-tree-empty]");
  const nodes = Array.from(tree.querySelectorAll("[data-tree-node]"));

  function apply() {
    const needle = fold(input.value);
    let shown = 0;
    // Deepest nodes first, so a parent knows whether a child matched.
    nodes.slice().reverse().forEach(function (node) {
      const own = !needle || node.dataset.search.indexOf(needle) !== -1;
      const childShown = node.querySelector(":scope > details > ul > li:not(.is-hidden)") !== null;
      const visible = own || childShown;
      node.classList.toggle("is-hidden", !visible);
      const details = node.querySelector(":scope > details");
      if (details && needle) { details.open = childShown; }
      if (visible) { shown += 1; }
    });
    if (empty) { empty.classList.toggle("is-hidden", shown > 0); }
  }
  input.addEventListener("input", apply);
})();
