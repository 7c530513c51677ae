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
})();
