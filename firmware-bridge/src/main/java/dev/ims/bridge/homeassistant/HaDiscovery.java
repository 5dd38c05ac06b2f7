package dev.ims.bridge.homeassistant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ims.model.reading.Reading;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What one meter looks like to Home Assistant, as its MQTT discovery documents it: a retained config document per
 * value on {@code <discovery prefix>/<component>/<meter id>/<object id>/config}, all sharing one {@code device} (the
 * meter: identifiers, manufacturer, model, name, sw_version) and one availability topic
 * ({@code <state prefix>/<meter id>/availability}, {@code online}/{@code offline}, the connection's last will); and the
 * state as one retained JSON document per reading on {@code <state prefix>/<meter id>/state}, each entity picking its
 * field with a {@code value_template}. A value the meter stops reporting is {@code null} in the state (Home Assistant:
 * unknown). Pure: no broker.
 */
public final class HaDiscovery {

    public static final String MANUFACTURER = "Intelligent Meter System";
    public static final String ONLINE = "online";
    public static final String OFFLINE = "offline";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String meterId;
    private final String model;
    private final String swVersion;
    private final String discoveryPrefix;
    private final String statePrefix;

    /**
     * @param meterId the meter's ID (letters, digits, {@code _} and {@code -}, as Home Assistant's topic levels need)
     * @param model what the device shows as its model, e.g. the bridge's source
     * @param swVersion the bridge's version
     */
    public HaDiscovery(String meterId, String model, String swVersion, String discoveryPrefix, String statePrefix) {
        if (meterId == null || !meterId.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("a Home Assistant node id must be letters, digits, _ and -, not '" + meterId + "'");
        }
        this.meterId = meterId;
        this.model = Objects.requireNonNull(model, "model");
        this.swVersion = Objects.requireNonNull(swVersion, "swVersion");
        this.discoveryPrefix = HaMirrorSettings.requireTopicPrefix("discovery prefix", discoveryPrefix);
        this.statePrefix = HaMirrorSettings.requireTopicPrefix("state topic prefix", statePrefix);
    }

    public String meterId() {
        return meterId;
    }

    public String stateTopic() {
        return statePrefix + "/" + meterId + "/state";
    }

    public String availabilityTopic() {
        return statePrefix + "/" + meterId + "/availability";
    }

    public String configTopic(HaValue v) {
        return discoveryPrefix + "/" + v.component() + "/" + meterId + "/" + v.objectId() + "/config";
    }

    /** The entity's {@code unique_id}: stable across restarts, distinct per meter and value. */
    public String uniqueId(HaValue v) {
        return "ims_" + meterId + "_" + v.objectId();
    }

    /** The retained config documents of {@code values}, in their declaration order. */
    public List<HaMessage> configs(Set<HaValue> values) {
        List<HaMessage> out = new ArrayList<>();
        for (HaValue v : HaValue.values()) {
            if (values.contains(v)) {
                out.add(new HaMessage(configTopic(v), write(config(v)), true));
            }
        }
        return out;
    }

    /** The availability message: retained, so that Home Assistant knows it at its own start. */
    public HaMessage availability(boolean online) {
        return new HaMessage(availabilityTopic(), online ? ONLINE : OFFLINE, true);
    }

    /**
     * The state document of {@code r}: its time and seq, and every value in {@code announced} ({@code null} when this
     * reading does not carry it).
     */
    public HaMessage state(Reading r, Set<HaValue> announced) {
        ObjectNode n = JSON.createObjectNode();
        n.put("ts", r.ts().toString());
        n.put("seq", r.seq());
        for (HaValue v : HaValue.values()) {
            if (announced.contains(v)) {
                n.putPOJO(v.key(), v.of(r));
            }
        }
        return new HaMessage(stateTopic(), write(n), true);
    }

    ObjectNode config(HaValue v) {
        ObjectNode n = JSON.createObjectNode();
        n.put("name", v.displayName());
        n.put("unique_id", uniqueId(v));
        n.put("state_topic", stateTopic());
        n.put("value_template", "{{ value_json." + v.key() + " }}");
        n.put("device_class", v.deviceClass());
        if (v.stateClass() != null) {
            n.put("state_class", v.stateClass());
        }
        if (v.unit() != null) {
            n.put("unit_of_measurement", v.unit());
        }
        if (v == HaValue.RELAY) {
            n.put("payload_on", "ON");
            n.put("payload_off", "OFF");
        }
        n.put("availability_topic", availabilityTopic());
        n.put("payload_available", ONLINE);
        n.put("payload_not_available", OFFLINE);
        ObjectNode device = n.putObject("device");
        device.putArray("identifiers").add(meterId);
        device.put("manufacturer", MANUFACTURER);
        device.put("model", model);
        device.put("name", "Meter " + meterId);
        device.put("sw_version", swVersion);
        ObjectNode origin = n.putObject("origin");
        origin.put("name", "IMS firmware-bridge");
        origin.put("sw_version", swVersion);
        return n;
    }

    private static String write(ObjectNode n) {
        try {
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree of strings and numbers did not serialise", e);
        }
    }
}
