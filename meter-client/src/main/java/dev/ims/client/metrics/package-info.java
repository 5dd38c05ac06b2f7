/** The Prometheus text endpoint shared by the processes that serve their own {@code /metrics}. */
package dev.ims.client.metrics;
