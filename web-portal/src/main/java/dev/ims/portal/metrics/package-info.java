/** Prometheus metrics: the fleet's state, relay commands, and whatever the process's parts register. */
package dev.ims.portal.metrics;
