/**
 * Energy-saving suggestions computed from a consumer's own data, each with evidence and an estimated
 * yearly saving; a load-shift suggestion on a meter with circuits names the circuit behind it and offers the
 * schedule that would realise it ({@code GET /api/v1/meters/{id}/advice}).
 */
package dev.ims.portal.advice;
