// Scoring page: Alt+S saves, Alt+N saves and opens the next self-assessment, and leaving the page
// with points typed but not saved asks first. The page works without this script: the buttons
// are ordinary submit buttons.
(function () {
  "use strict";
  const form = document.getElementById("scoring-form");
  if (!form) {
    return;
  }
  let dirty = false;
  form.addEventListener("input", function () {
    dirty = true;
  });
  form.addEventListener("submit", function () {
    dirty = false;
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) {
      event.preventDefault();
      event.returnValue = form.dataset.unsavedMessage || "";
    }
  });
  // event.code names the physical key, so the shortcut also works where Alt+S types a letter (macOS).
  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    const button = form.querySelector('[data-shortcut="' + event.code + '"]');
    if (button) {
      event.preventDefault();
      if (typeof form.requestSubmit === "function") {
        form.requestSubmit(button);
      } else {
        button.click();
      }
    }
  });
})();
