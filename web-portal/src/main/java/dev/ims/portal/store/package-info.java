/**
 * The portal's data layer for readings and usage: repositories that read the bucketed layout of {@code dev.ims.store}
 * (hour buckets in {@code readings}, day documents in {@code rollups_daily}) by computed {@code _id}s with projections
 * of only the fields a caller needs, and return records, never raw BSON. Every store answers an {@code _id} filter from
 * its primary key; any other filter makes the embedded store scan the whole collection, and a read costs about as much
 * as the bytes it returns, so nothing here filters on anything but {@code _id}.
 */
package dev.ims.portal.store;
