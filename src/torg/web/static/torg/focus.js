/* After a failed submit, move the focus to the form's error summary (the element with
 * data-error-summary and tabindex="-1"), so that a keyboard or screen-reader user hears
 * what went wrong and can follow its links to the fields. Browsers that honour
 * autofocus on the summary have already done it; this covers the others. */
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (summary && document.activeElement !== summary) {
    summary.focus();
  }
})();
