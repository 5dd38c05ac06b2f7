package dev.ims.bridge.homeassistant;

import dev.ims.model.reading.Reading;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Function;

/**
 * The values of a reading that Home Assistant is told about, each one entity: its key in the state document, the Home
 * Assistant component ({@code sensor}, or {@code binary_sensor} for the relay), device class, state class and unit as
 * Home Assistant's MQTT sensor documents them. The energy registers are {@code total_increasing} in kWh: what the
 * Energy dashboard accepts for grid consumption and return.
 */
public enum HaValue {
    ENERGY_IMPORT("energy_import", "sensor", "Energy import", "energy", "total_increasing", "kWh", "energy_kwh", Reading::energyKwh),
    ENERGY_EXPORT("energy_export", "sensor", "Energy export", "energy", "total_increasing", "kWh", "export_kwh", Reading::exportKwh),
    POWER("power", "sensor", "Power", "power", "measurement", "W", "power_w", Reading::powerW),
    EXPORT_POWER("power_export", "sensor", "Power export", "power", "measurement", "W", "export_power_w", Reading::exportPowerW),
    VOLTAGE("voltage", "sensor", "Voltage", "voltage", "measurement", "V", "voltage_v", Reading::voltageV),
    CURRENT("current", "sensor", "Current", "current", "measurement", "A", "current_a", Reading::currentA),
    /** The supply relay, read-only: switching stays with the utility (no command topic, no switch entity). */
    RELAY("supply", "binary_sensor", "Supply", "power", null, null, "relay", r -> r.relay() == null ? null : r.relay().name());

    private final String objectId;
    private final String component;
    private final String displayName;
    private final String deviceClass;
    private final String stateClass;
    private final String unit;
    private final String key;
    private final Function<Reading, Object> value;

    HaValue(String objectId, String component, String displayName, String deviceClass, String stateClass, String unit, String key,
            Function<Reading, Object> value) {
        this.objectId = objectId;
        this.component = component;
        this.displayName = displayName;
        this.deviceClass = deviceClass;
        this.stateClass = stateClass;
        this.unit = unit;
        this.key = key;
        this.value = value;
    }

    /** The last level of the discovery topic and the end of the entity's {@code unique_id}. */
    public String objectId() {
        return objectId;
    }

    public String component() {
        return component;
    }

    public String displayName() {
        return displayName;
    }

    public String deviceClass() {
        return deviceClass;
    }

    /** Null for the relay (a binary sensor has none). */
    public String stateClass() {
        return stateClass;
    }

    /** Null for the relay. */
    public String unit() {
        return unit;
    }

    /** The field of the state document. */
    public String key() {
        return key;
    }

    /** This value in {@code r} (a number, or ON/OFF for the relay), or null when the reading does not carry it. */
    public Object of(Reading r) {
        return value.apply(r);
    }

    /** The values {@code r} carries: the import register always, the others when the meter reports them. */
    public static Set<HaValue> presentIn(Reading r) {
        Set<HaValue> out = EnumSet.noneOf(HaValue.class);
        for (HaValue v : values()) {
            if (v.of(r) != null) {
                out.add(v);
            }
        }
        return out;
    }
}
