/**
 * Staff decisions on quarantined readings: well-formed readings the ingest kept in {@code rejected} because
 * they disagreed with the meter's history (see {@code StoreSchema#QUARANTINE}). Staff list them per meter
 * and accept (the ingest then stores the reading) or discard them, each with a reason kept as the audit trail.
 * {@link dev.ims.portal.quarantine.QuarantineStore} alone touches the collections; the routes only validate
 * and render.
 */
package dev.ims.portal.quarantine;
