/** Alarms for staff, derived from the store at read time: nothing to acknowledge, nothing to go stale. */
package dev.ims.portal.alarm;
