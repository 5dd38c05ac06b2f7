/** Meters, their raw readings, data gaps, rejected payloads, and the consumer pages that show them. */
package dev.ims.portal.meter;
