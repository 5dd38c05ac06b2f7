package dev.ims.model.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ims.model.config.ConfigException;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.config.PrivateFiles;
import dev.ims.model.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A service instance's broker credential: {@code MQTT_USERNAME}/{@code MQTT_PASSWORD} when set (each process
 * its own, e.g. from a container's secret), else the identity file {@code IMS_DATA_DIR/identities/<name>.json}
 * ({@code 0600} in a {@code 0700} folder), which the local stack creates with a random secret at its first start.
 */
public final class ServiceCredentials {

    /** The folder of the identity files under the data folder. */
    public static final String FOLDER = "identities";

    private ServiceCredentials() {}

    public static Path file(Path dataDir, String name) {
        return dataDir.resolve(FOLDER).resolve(name + ".json");
    }

    /**
     * The credential of service instance {@code name}: the settings' username and password when given, else its
     * identity file.
     *
     * @throws ConfigException when there is neither, or {@code MQTT_USERNAME} is not {@code name} (a broker accepts a
     *     client only with its own identity as client ID, so the two must agree)
     */
    public static Credential require(ImsSettings settings, String name) {
        if (settings.mqttUsername() != null) {
            if (!settings.mqttUsername().equals(name)) {
                throw new ConfigException("MQTT_USERNAME is '" + settings.mqttUsername() + "' but this instance's client ID is '" + name
                        + "': the brokers accept a client only under its own identity, so they must be the same");
            }
            return new Credential(settings.mqttUsername(), settings.mqttPassword() == null ? "" : settings.mqttPassword());
        }
        return load(file(settings.dataDir(), name)).orElseThrow(() -> new ConfigException("no broker identity for '" + name
                + "': set MQTT_USERNAME and MQTT_PASSWORD, or create " + file(settings.dataDir(), name)
                + " (the local stack creates its services' identities at its first start)"));
    }

    /** The credential in {@code file}, or empty when there is no such file. */
    public static Optional<Credential> load(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            JsonNode n = Json.mapper().readTree(file.toFile());
            if (!n.path("username").isTextual() || !n.path("password").isTextual()) {
                throw new ConfigException("identity file " + file + " needs text fields username and password");
            }
            return Optional.of(new Credential(n.get("username").asText(), n.get("password").asText()));
        } catch (IOException e) {
            throw new ConfigException("identity file " + file + " is unreadable: " + e.getMessage());
        }
    }

    /** Service {@code name}'s identity file in {@code dataDir}, created with a new random secret when missing. */
    public static Credential loadOrCreate(Path dataDir, String name) {
        Optional<Credential> existing = load(file(dataDir, name));
        return existing.isPresent() ? existing.get() : write(dataDir, new Credential(name, Secrets.newSecret()));
    }

    /** Writes {@code c} as its username's identity file in {@code dataDir} (0600), e.g. one a broker's operator issued. */
    public static Credential write(Path dataDir, Credential c) {
        return writeTo(file(dataDir, c.username()), c);
    }

    /** Writes {@code c} to {@code file} (0600 in a 0700 folder), whatever the file's name. */
    public static Credential writeTo(Path file, Credential c) {
        ObjectNode n = Json.mapper().createObjectNode().put("username", c.username()).put("password", c.password());
        try {
            PrivateFiles.createDirectories(file.getParent());
            PrivateFiles.writeString(file, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write identity file " + file, e);
        }
        return c;
    }
}
