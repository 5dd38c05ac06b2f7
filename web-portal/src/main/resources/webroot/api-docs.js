// Starts Swagger UI on the page /api-docs. A file rather than an inline script: the portal's Content-Security-Policy
// allows scripts from this server only. Calls made from the page ride on the session cookie; those that change
// something carry the session's CSRF token (from the page) in X-CSRF-Token, as the API requires.
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  var csrf = root.getAttribute("data-csrf");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-document"),
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
    requestInterceptor: function (request) {
      var method = (request.method || "GET").toUpperCase();
      if (method !== "GET" && method !== "HEAD") {
        request.headers["X-CSRF-Token"] = csrf;
      }
      return request;
    }
  });
});
