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
 *
 * <p>{@link dev.ims.portal.store.MeterRepository} owns the meter routes' reads of the {@code meters} collection;
 * {@link dev.ims.portal.store.MeterDocs} says what a meter document means (connection state, decommissioned, silent
 * source) for every package that reads one, so that those packages depend on this one and not on each other. What the
 * API publishes of a document is decided by the views that list their fields ({@code meter.MeterView},
 * {@code command.CommandView}).
 */
package dev.ims.portal.store;
