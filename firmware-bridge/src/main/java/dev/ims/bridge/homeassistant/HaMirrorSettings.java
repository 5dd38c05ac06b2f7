package dev.ims.bridge.homeassistant;

import dev.ims.model.retry.Backoff;
import dev.ims.model.config.MqttEndpoint;
import java.time.Duration;
import java.util.Objects;

/**
 * How the bridge mirrors its readings to a household's own broker for Home Assistant.
 *
 * @param endpoint the home broker ({@code mqtt://} or {@code mqtts://host:port})
 * @param username its user name, or null to connect without one
 * @param password its password, or null; never printed ({@link #toString()})
 * @param discoveryPrefix Home Assistant's discovery prefix ({@link #DEFAULT_DISCOVERY_PREFIX} unless changed in Home Assistant)
 * @param statePrefix the first level(s) of the state and availability topics ({@link #DEFAULT_STATE_PREFIX})
 * @param queueCapacity states waiting for the home broker at most; when full the oldest is dropped (newest wins)
 * @param publishTimeout how long one publication may take before the connection is taken as broken
 * @param reconnect the pace of connection attempts: the first connection here, later ones by Paho's automatic reconnect
 *     between the same bounds (whole seconds)
 */
public record HaMirrorSettings(MqttEndpoint endpoint, String username, String password, String discoveryPrefix, String statePrefix,
        int queueCapacity, Duration publishTimeout, Backoff reconnect) {

    public static final String DEFAULT_DISCOVERY_PREFIX = "homeassistant";
    public static final String DEFAULT_STATE_PREFIX = "ims";
    /** A few readings: after an outage Home Assistant needs the latest, not a backlog. */
    public static final int DEFAULT_QUEUE_CAPACITY = 8;
    public static final Duration DEFAULT_PUBLISH_TIMEOUT = Duration.ofSeconds(10);
    public static final Backoff DEFAULT_RECONNECT = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));

    public HaMirrorSettings {
        Objects.requireNonNull(endpoint, "endpoint");
        discoveryPrefix = requireTopicPrefix("--ha-discovery-prefix", discoveryPrefix == null ? DEFAULT_DISCOVERY_PREFIX : discoveryPrefix);
        statePrefix = requireTopicPrefix("--ha-state-topic-prefix", statePrefix == null ? DEFAULT_STATE_PREFIX : statePrefix);
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("the Home Assistant queue needs room for at least one state, not " + queueCapacity);
        }
        publishTimeout = publishTimeout == null ? DEFAULT_PUBLISH_TIMEOUT : publishTimeout;
        reconnect = reconnect == null ? DEFAULT_RECONNECT : reconnect;
    }

    /** With the default prefixes, queue, timeout and reconnect pace. */
    public static HaMirrorSettings of(MqttEndpoint endpoint, String username, String password) {
        return new HaMirrorSettings(endpoint, username, password, null, null, DEFAULT_QUEUE_CAPACITY, null, null);
    }

    public HaMirrorSettings withPrefixes(String discoveryPrefix, String statePrefix) {
        return new HaMirrorSettings(endpoint, username, password, discoveryPrefix, statePrefix, queueCapacity, publishTimeout, reconnect);
    }

    public HaMirrorSettings withReconnect(Backoff reconnect) {
        return new HaMirrorSettings(endpoint, username, password, discoveryPrefix, statePrefix, queueCapacity, publishTimeout, reconnect);
    }

    public HaMirrorSettings withQueueCapacity(int queueCapacity) {
        return new HaMirrorSettings(endpoint, username, password, discoveryPrefix, statePrefix, queueCapacity, publishTimeout, reconnect);
    }

    /**
     * {@code prefix} when it is one or more MQTT topic levels without wildcards or empty levels.
     *
     * @throws IllegalArgumentException naming {@code what} and the prefix
     */
    static String requireTopicPrefix(String what, String prefix) {
        if (prefix == null || prefix.isBlank() || prefix.contains("+") || prefix.contains("#") || prefix.startsWith("/") || prefix.endsWith("/")
                || prefix.contains("//") || prefix.startsWith("$") || prefix.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException(what + " must be MQTT topic levels such as 'homeassistant' or 'home/ims' (no wildcards, "
                    + "spaces, empty levels or leading $), not '" + prefix + "'");
        }
        return prefix;
    }

    @Override
    public String toString() {
        return "HaMirrorSettings[" + endpoint.url() + ", user " + username + ", password " + (password == null ? "none" : "<hidden>")
                + ", discovery " + discoveryPrefix + ", state " + statePrefix + "]";
    }
}
