/**
 * The staff's broker and pipeline monitor: the broker's own figures read from its {@code $SYS/#} topics under the
 * monitoring identity ({@link dev.ims.portal.broker.BrokerMonitor}, Eclipse Paho MQTTv5), the ingest instances'
 * figures from their heartbeats, an hour of both sampled ({@link dev.ims.portal.broker.PipelineHistory}), served as
 * {@code GET /api/v1/broker}, the {@code /staff/broker} page and Prometheus gauges.
 */
package dev.ims.portal.broker;
