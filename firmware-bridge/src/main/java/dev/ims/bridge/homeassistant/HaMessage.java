package dev.ims.bridge.homeassistant;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One message for the home broker.
 *
 * @param topic where it goes
 * @param payload UTF-8 text (JSON, or {@code online}/{@code offline})
 * @param retained whether the broker keeps it for later subscribers (discovery, availability and state all are)
 */
public record HaMessage(String topic, String payload, boolean retained) {

    public HaMessage {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
    }

    public byte[] bytes() {
        return payload.getBytes(StandardCharsets.UTF_8);
    }
}
