/** MQTT 5 clients of the project's broker ({@link dev.ims.client.mqtt.MqttClients}, for meters and services alike) and a meter's connection: birth and last will, readings, relay commands and their acknowledgements. */
package dev.ims.client.mqtt;
