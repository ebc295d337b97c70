// The API docs page: Swagger UI (self-hosted, no CDN) reading the document the API serves, found from the
// dashboard's config.json (the same API the dashboard talks to). `data-ready` tells tests it has drawn.
fetch('./config.json')
  .then((response) => response.json())
  .then((config) => {
    const url = `${String(config.apiUrl).replace(/\/+$/, '')}/openapi.json`;
    SwaggerUIBundle({
      url,
      dom_id: '#swagger-ui',
      deepLinking: true,
      docExpansion: 'none',
      onComplete: () => document.body.setAttribute('data-ready', 'api-docs'),
    });
  })
  .catch((error) => {
    document.getElementById('swagger-ui').textContent = `The API document could not be loaded: ${error}`;
  });
