/**
 * The bridge's optional mirror to a household's own broker for Home Assistant ({@code --ha-mqtt-url}): Home Assistant
 * MQTT discovery documents and one state document per reading ({@link dev.ims.bridge.homeassistant.HaDiscovery}, pure),
 * sent over an Eclipse Paho MQTTv5 connection of its own ({@link dev.ims.bridge.homeassistant.HaMirror}) that never holds
 * up the utility connection. Read-only: nothing is subscribed, no command is taken from the home broker.
 */
package dev.ims.bridge.homeassistant;
