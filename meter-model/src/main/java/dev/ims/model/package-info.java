/**
 * The public contract (v1) in code: the records that travel over MQTT, their JSON codec, the topic
 * scheme, validation of untrusted payloads, the calendar arithmetic of usage, the storage schema shared
 * by the writer (ingest) and the readers (portal), and configuration parsing. Every other module depends
 * on this one and none re-declares any of it.
 */
package dev.ims.model;
