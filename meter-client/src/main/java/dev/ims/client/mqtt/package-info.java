/** A meter's MQTT 5 connection: birth and last will, readings, relay commands and their acknowledgements. */
package dev.ims.client.mqtt;
