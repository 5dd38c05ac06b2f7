package dev.ims.model.security;

import java.util.Objects;

/**
 * A username and secret for the broker ({@code MQTT_USERNAME}/{@code MQTT_PASSWORD}, a service's identity
 * file, or a meter's state file). The username is also the client ID ({@link Identity}).
 */
public record Credential(String username, String password) {

    public Credential {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
    }

    @Override
    public String toString() {
        return "Credential[username=" + username + ", password=<hidden>]";
    }
}
