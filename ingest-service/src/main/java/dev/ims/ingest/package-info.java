/**
 * The ingest service: MQTT 5 in, MongoDB out. A message is acknowledged to the broker only after what
 * it carries is written, and every write is idempotent, so a crash, a redelivery or a replay neither
 * loses nor doubles a reading. Two MQTT sessions ({@link dev.ims.ingest.MqttSubscriber}), each with its own
 * identity and in-flight window: live readings, statuses and acknowledgements; and the backlog (history, outbox
 * drains). Threads: the MQTT clients' callbacks only decode and enqueue; one writer thread batches, live items
 * first, writes (blocking on the driver, off any event loop) and acknowledges.
 *
 * <p>The parts, each testable alone, wired by {@link dev.ims.ingest.IngestService}: {@code InboundDecoder} (pure: topic
 * and payload to a reading, status, acknowledgement or rejection), {@code BatchWriter} (the writer thread's loop and its
 * retry policy, a shared {@link dev.ims.model.retry.Backoff}), {@code StoreWriter} (one batch into the store: plausibility,
 * duplicates, buckets, statuses, quarantine), {@code StoreSetup} (indexes, retention of rejected payloads),
 * {@code Heartbeat}, {@code IngestMetrics}, {@code AcceptedReadings} (staff decisions on quarantined readings).
 */
package dev.ims.ingest;
