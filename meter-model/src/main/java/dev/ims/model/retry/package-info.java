/** Retry policies shared by every component that retries (the ingest's batch writer, the bridge's ports and links). */
package dev.ims.model.retry;
