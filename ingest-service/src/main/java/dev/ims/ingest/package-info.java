/**
 * The ingest service: MQTT 5 in, MongoDB out. A message is acknowledged to the broker only after what
 * it carries is written, and every write is idempotent, so a crash, a redelivery or a replay neither
 * loses nor doubles a reading. Threads: the MQTT client's callback only decodes and enqueues; one writer
 * thread batches, writes (blocking on the driver, off any event loop) and acknowledges.
 */
package dev.ims.ingest;
