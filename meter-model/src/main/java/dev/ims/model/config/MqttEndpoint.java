package dev.ims.model.config;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * A broker address parsed from {@code MQTT_URL}: {@code tcp://host:port} or {@code mqtt://} (plain),
 * {@code ssl://}, {@code tls://} or {@code mqtts://} (TLS). The port defaults to 1883, or 8883 with TLS.
 */
public record MqttEndpoint(String host, int port, boolean tls) {

    public static MqttEndpoint parse(String url) {
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw new ConfigException("MQTT_URL '" + url + "' is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
        boolean tls;
        switch (scheme) {
            case "tcp", "mqtt" -> tls = false;
            case "ssl", "tls", "mqtts" -> tls = true;
            default -> throw new ConfigException(
                    "MQTT_URL '" + url + "' must start with tcp://, mqtt://, ssl://, tls:// or mqtts://");
        }
        if (uri.getHost() == null) {
            throw new ConfigException("MQTT_URL '" + url + "' has no host");
        }
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 8883 : 1883;
        return new MqttEndpoint(uri.getHost(), port, tls);
    }

    public String url() {
        return (tls ? "ssl" : "tcp") + "://" + host + ":" + port;
    }
}
