/**
 * The staff's fleet view at fleet scale: an in-memory index of every meter ({@link dev.ims.portal.fleet.FleetIndex}), kept
 * current from the ingest's change feed, that answers the fleet page, {@code GET /api/v1/fleet} and its live updates
 * (Server-Sent Events) from memory; and the fleet's load curve ({@link dev.ims.portal.fleet.FleetLoad}).
 */
package dev.ims.portal.fleet;
