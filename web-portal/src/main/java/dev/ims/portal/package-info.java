/**
 * The web portal: consumer pages and the contract's JSON API, read from what the ingest stored. Usage
 * comes from the daily rollups, never from scanning raw readings. {@link dev.ims.portal.Portal} wires
 * the features; each feature registers its own routes.
 */
package dev.ims.portal;
