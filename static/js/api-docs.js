// The API's interactive docs (/api/v1/docs): Swagger UI from static/vendor/swagger-ui, configured
// from the page's data- attributes (no inline script: the Content-Security-Policy forbids it).
(function () {
  "use strict";
  var body = document.body;
  var csrf = body.dataset.csrfToken;
  window.SwaggerUIBundle({
    url: body.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    validatorUrl: null, // never ask validator.swagger.io
    requestInterceptor: function (request) {
      // The browser's session writes with its CSRF token; a bearer token needs none.
      if (csrf && !(request.headers && request.headers.Authorization)) {
        request.headers["X-CSRFToken"] = csrf;
      }
      return request;
    },
  });
})();
