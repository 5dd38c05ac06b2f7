/**
 * A meter's circuits as the consumer sees them: descriptions and state as reported, today's and the month's use per
 * circuit from the hourly rollups, each circuit's share of the month's bill under the real tariff.
 */
package dev.ims.portal.circuit;
