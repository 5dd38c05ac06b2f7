/**
 * Alarms for staff as records with a lifecycle: raised with their evidence (by the ingest from what it receives, by
 * {@link dev.ims.portal.alarm.AlarmSweeper} from time and the system's state), acknowledged and cleared by staff or
 * cleared when their cause ends, kept in a history ({@link dev.ims.portal.alarm.AlarmStore}); the API and the
 * {@code /staff/alarms} page ({@link dev.ims.portal.alarm.AlarmRoutes}).
 */
package dev.ims.portal.alarm;
