// The interactive page of wxpush's OpenAPI document: Swagger UI, served from its webjar.
'use strict';
document.addEventListener('DOMContentLoaded', () => {
  window.SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger', deepLinking: true, tryItOutEnabled: false });
});
