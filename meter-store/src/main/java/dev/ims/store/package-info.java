/**
 * The storage layout of readings, shared by their writer (the ingest) and their readers (portal, bench).
 *
 * <p>Readings are kept the way MongoDB's own time-series collections keep measurements: bucketed per meter and
 * span, so one write absorbs every reading of a batch that falls in the span and a read fetches a few
 * documents by computed {@code _id} ({@code $in}), which every store answers from its primary key.
 * <ul>
 *   <li>{@code readings}: one bucket per meter and local clock hour, {@code _id} = {@link StoreLayout#hourBucketId};
 *       the readings under {@code r.<seq>} (written with {@code $min}: a redelivery leaves the first receipt) and the
 *       bucket's {@code minSeq}/{@code maxSeq}.
 *   <li>{@code rollups_daily}: one summary per meter and local day, {@code _id} = {@link StoreLayout#dayId}: the
 *       day's register ranges, each hour's under {@code h.<hour start>} and each quarter hour's under
 *       {@code q.<quarter start>}, and the day's seqs as flags under {@code s.<seq / 64>.<seq % 64>}. Everything by
 *       {@code $min}/{@code $max}/{@code $set}: applying a reading twice changes nothing.
 *   <li>{@code meters}: one document per meter (latest reading, first and last seen, first and last reading time).
 * </ul>
 */
package dev.ims.store;
