/**
 * The API's own description: {@code docs/openapi.yaml} (copied into the jar by the build) served as JSON at
 * {@code GET /api/v1/openapi.json}, and the API explorer page ({@code /api-docs}, Swagger UI from its webjar) for
 * signed-in users.
 */
package dev.ims.portal.apidoc;
