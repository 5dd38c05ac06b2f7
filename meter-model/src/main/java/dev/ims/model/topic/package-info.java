/** The contract's MQTT topic scheme under a configurable prefix, and parsing of received topics. */
package dev.ims.model.topic;
