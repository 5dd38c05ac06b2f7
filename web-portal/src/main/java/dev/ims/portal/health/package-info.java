/** {@code /health}: liveness, database and broker state, and the ingest's counters. */
package dev.ims.portal.health;
