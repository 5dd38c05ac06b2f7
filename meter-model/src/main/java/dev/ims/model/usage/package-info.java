/**
 * Usage arithmetic. Units over a period are derived from the cumulative register, which only grows:
 * the minimum and maximum register seen in a bucket are idempotent to keep (a reading stored twice or
 * out of order changes neither), and a day's units are the difference between consecutive end-of-day
 * registers. Days follow the calendar of a time zone, so they last 23 or 25 hours at daylight-saving
 * changes.
 */
package dev.ims.model.usage;
