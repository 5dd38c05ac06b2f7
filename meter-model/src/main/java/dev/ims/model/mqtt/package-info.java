/** MQTT client wiring shared by every part that talks to the broker. */
package dev.ims.model.mqtt;
