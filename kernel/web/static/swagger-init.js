// Starts the vendored Swagger UI on the API's documentation page (/api/v1/docs), pointed at the
// OpenAPI document named by the page (the CSP allows no inline script, so this lives here).
document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
