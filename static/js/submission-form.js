// Self-assessment form: warn before an evidence upload or removal reloads the page over unsaved edits.
// The upload and remove buttons belong to small separate forms (HTML form attribute), so the page
// works without this script; it only protects what the officer typed and has not saved yet.
(function () {
  "use strict";
  const form = document.getElementById("submission-form");
  if (!form) {
    return;
  }
  let dirty = false;
  form.addEventListener("input", function (event) {
    if (event.target.form === form) {
      dirty = true;
    }
  });
  form.addEventListener("submit", function () {
    dirty = false;
  });
  document.addEventListener(
    "click",
    function (event) {
      const button = event.target.closest("[data-leaves-page]");
      if (button && dirty && !window.confirm(form.dataset.unsavedMessage)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );
})();
