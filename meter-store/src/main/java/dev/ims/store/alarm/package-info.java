/**
 * Alarm records in the store, shared by their writers (the ingest raises and clears what it sees in the readings and status
 * messages; the portal's sweeper the time-based and system kinds; staff acknowledge and clear): the kinds, the record
 * {@code _id}s and the writes. Pure: the callers run the writes with their own driver.
 */
package dev.ims.store.alarm;
