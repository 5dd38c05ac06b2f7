package dev.ims.model.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ims.model.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The public keys whose commands a meter carries out, by key ID. Several at once, so that the portal's key
 * can be rotated: add the new key to the set on every meter, switch the portal to it, then remove the old
 * one.
 *
 * <p>File format (JSON, UTF-8; public, not secret):
 *
 * <pre>
 * {"keys":[{"id":"&lt;key ID&gt;","publicKey":"&lt;base64 X.509&gt;"}, ...]}
 * </pre>
 *
 * Each {@code id} must be {@link CommandKeys#keyId the ID of its key}; other fields are ignored.
 *
 * @param keys key ID to public key, in the file's order; unmodifiable
 */
public record CommandKeySet(Map<String, PublicKey> keys) {

    static final int MAX_FILE_BYTES = 256 * 1024;

    public static final CommandKeySet EMPTY = new CommandKeySet(Map.of());

    public CommandKeySet {
        keys = Collections.unmodifiableMap(new LinkedHashMap<>(keys));
    }

    public static CommandKeySet of(PublicKey... publicKeys) {
        Map<String, PublicKey> m = new LinkedHashMap<>();
        for (PublicKey k : publicKeys) {
            m.put(CommandKeys.keyId(k), k);
        }
        return new CommandKeySet(m);
    }

    public boolean isEmpty() {
        return keys.isEmpty();
    }

    /** This set plus {@code publicKey} (unchanged when it is in already). */
    public CommandKeySet with(PublicKey publicKey) {
        Map<String, PublicKey> m = new LinkedHashMap<>(keys);
        m.put(CommandKeys.keyId(publicKey), publicKey);
        return new CommandKeySet(m);
    }

    /** This set without the key with this ID. */
    public CommandKeySet without(String keyId) {
        Map<String, PublicKey> m = new LinkedHashMap<>(keys);
        m.remove(keyId);
        return new CommandKeySet(m);
    }

    /** @throws CommandKeyException naming the file when it is missing, unreadable or not a key set */
    public static CommandKeySet read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CommandKeyException("command key set " + file + " does not exist");
        } catch (IOException e) {
            throw new CommandKeyException("cannot read command key set " + file + ": " + e.getMessage(), e);
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new CommandKeyException("command key set " + file + " is larger than " + MAX_FILE_BYTES + " bytes");
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(bytes);
        } catch (IOException e) {
            throw new CommandKeyException("command key set " + file + " is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        JsonNode list = root == null ? null : root.get("keys");
        if (list == null || !list.isArray()) {
            throw new CommandKeyException("command key set " + file + " must be {\"keys\":[{\"id\":...,\"publicKey\":...}]}");
        }
        Map<String, PublicKey> m = new LinkedHashMap<>();
        int i = 0;
        for (JsonNode entry : list) {
            String where = "command key set " + file + ", keys[" + i++ + "]";
            JsonNode id = entry.get("id");
            JsonNode pub = entry.get("publicKey");
            if (id == null || !id.isTextual() || pub == null || !pub.isTextual()) {
                throw new CommandKeyException(where + " needs \"id\" and \"publicKey\" as strings");
            }
            PublicKey key;
            try {
                key = CommandKeys.decodePublic(pub.textValue());
            } catch (IllegalArgumentException e) {
                throw new CommandKeyException(where + ": " + e.getMessage());
            }
            String actual = CommandKeys.keyId(key);
            if (!actual.equals(id.textValue())) {
                throw new CommandKeyException(where + ": id " + dev.ims.model.json.Fields.abbreviate(id.textValue())
                        + " is not the ID of its public key (" + actual + ")");
            }
            m.put(actual, key);
        }
        return new CommandKeySet(m);
    }

    /** Writes the set to {@code file} atomically (readable by all: public keys only). */
    public void write(Path file) {
        ObjectNode root = Json.mapper().createObjectNode();
        ArrayNode list = root.putArray("keys");
        keys.forEach((id, key) -> list.addObject().put("id", id).put("publicKey", CommandKeys.encodePublic(key)));
        try {
            KeyFiles.write(file, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(root), false);
        } catch (IOException e) {
            throw new CommandKeyException("cannot write command key set " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "CommandKeySet" + keys.keySet();
    }
}
