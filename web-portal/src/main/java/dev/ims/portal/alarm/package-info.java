/**
 * Alarms for staff, derived at read time from the store (meters, commands, the ingest instances' heartbeats) and from
 * the broker monitor's last hour: nothing to acknowledge, nothing to go stale.
 */
package dev.ims.portal.alarm;
