// Behaviour shared by every page. Loaded as a file: the Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  // Buttons with data-confirm ask before submitting their form.
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
    }
  });

  // A table wider than the screen scrolls inside its .table-responsive box. Keyboard users can
  // only scroll a box that takes the focus, so a box that overflows becomes a named, focusable
  // region (its table's caption, else the label the page gives in data-scroll-label); a box
  // that fits again leaves the tab order.
  function markScrollableTables() {
    const fallback = document.body.dataset.scrollLabel || "";
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      const overflows = box.scrollWidth > box.clientWidth + 1;
      if (overflows && !box.hasAttribute("tabindex")) {
        const caption = box.querySelector("caption");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", caption ? caption.textContent.trim() : fallback);
        box.dataset.scrollMarked = "true";
      } else if (!overflows && box.dataset.scrollMarked) {
        ["tabindex", "role", "aria-label", "data-scroll-marked"].forEach(function (name) {
          box.removeAttribute(name);
        });
      }
    });
  }
  markScrollableTables();
  let pending = false;
  window.addEventListener("resize", function () {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; markScrollableTables(); });
  });
})();
