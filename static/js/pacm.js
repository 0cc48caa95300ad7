/* pacm's page behaviour, from a static file: the Content-Security-Policy allows no inline script
   or event handler (pacm/settings.py CONTENT_SECURITY_POLICY).

   <form data-confirm="Question?">: the form is submitted only once the user confirms.
   <select data-autosubmit>: choosing an option submits its form (the header's language switch). */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) {
      return;
    }
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select instanceof HTMLSelectElement && select.hasAttribute("data-autosubmit") && select.form) {
      select.form.requestSubmit ? select.form.requestSubmit() : select.form.submit();
    }
  });
})();
