/**
 * The portal's data layer for readings and usage: repositories that read the bucketed layout of {@code dev.ims.store}
 * (hour buckets in {@code readings}, day documents in {@code rollups_daily}) by computed {@code _id}s with projections
 * of only the fields a caller needs, and return records, never raw BSON. Every store answers an {@code _id} filter from
 * its primary key; any other filter makes the embedded store scan the whole collection, and a read costs about as much
 * as the bytes it returns, so nothing here filters on anything but {@code _id}.
 *
 * <p>{@link dev.ims.portal.store.UsageRepository} keeps decoded day documents and the usage figures computed from them
 * per meter ({@code DayCache}), under the version its meter document shows (newest reading received, highest seq,
 * reading range): a newer reading drops them, so nothing kept is ever stale.
 */
package dev.ims.portal.store;
