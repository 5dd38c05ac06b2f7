package dev.ims.bridge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ims.model.circuit.CircuitInfo;
import dev.ims.model.circuit.CircuitKind;
import dev.ims.model.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The bridge's circuits file ({@code --circuits FILE}), read once at start: a JSON list of at most
 * {@value CircuitInfo#MAX_CIRCUITS} circuits,
 * <pre>
 * [{"id": "water-heater", "name": "Water heater", "kind": "WATER_HEATER", "critical": false,
 *   "measure": {"modbusUnit": 2, "map": "pzem004t"},
 *   "relay": {"pin": 23, "activeLow": false, "feedbackPin": -1}},
 *  {"id": "fridge", "name": "Fridge", "kind": "FRIDGE", "critical": true,
 *   "measure": {"s0Pin": 22, "pulsesPerKwh": 1000, "activeLow": false}}]
 * </pre>
 * {@code critical} defaults to false, {@code map} to pzem004t, {@code pulsesPerKwh} to 1000, {@code activeLow} to false,
 * {@code feedbackPin} to -1 (none); {@code relay} is optional (a circuit only measured). A critical circuit may have a
 * relay: it is driven ON at start and never switched remotely.
 *
 * <p>Everything is checked before anything is opened: ids as the contract has them and unique, names, kinds, one way of
 * measuring per circuit, Modbus units distinct (and from the main meter's on a shared bus), GPIO pins (BCM 0 to
 * {@value #MAX_BCM_PIN}) distinct from each other and from the pins the bridge uses already, no unknown fields (a typo
 * is refused, not ignored). Every error names the entry.
 */
public final class CircuitsFile {

    /** The highest BCM GPIO number on the Pi's 40-pin header. */
    static final int MAX_BCM_PIN = 27;
    static final int DEFAULT_PULSES_PER_KWH = 1_000;
    static final ModbusRegisterMap DEFAULT_MAP = ModbusRegisterMap.PZEM004T;

    private static final Set<String> ENTRY_FIELDS = Set.of("id", "name", "kind", "critical", "measure", "relay");
    private static final Set<String> MODBUS_FIELDS = Set.of("modbusUnit", "map");
    private static final Set<String> S0_FIELDS = Set.of("s0Pin", "pulsesPerKwh", "activeLow");
    private static final Set<String> RELAY_FIELDS = Set.of("pin", "activeLow", "feedbackPin");

    private CircuitsFile() {}

    /**
     * @param reservedPins the GPIO pins the bridge uses besides the circuits (supply relay, its feedback, the main S0
     *     input), with what each is for
     * @param reservedUnit the main meter's Modbus unit when the circuits share its bus, else null
     * @throws IllegalArgumentException naming the file and the entry, when it cannot be read or is wrong
     */
    public static List<CircuitSpec> read(Path file, Map<Integer, String> reservedPins, Integer reservedUnit) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("--circuits: cannot read " + file + " (" + e.getMessage() + ")", e);
        }
        try {
            return parse(text, reservedPins, reservedUnit);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--circuits " + file + ": " + e.getMessage(), e);
        }
    }

    /** As {@link #read}, from the file's text. */
    public static List<CircuitSpec> parse(String json, Map<Integer, String> reservedPins, Integer reservedUnit) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException("must be a JSON list of circuits");
        }
        if (root.size() > CircuitInfo.MAX_CIRCUITS) {
            throw new IllegalArgumentException("has " + root.size() + " circuits; at most " + CircuitInfo.MAX_CIRCUITS);
        }
        Map<Integer, String> pins = new HashMap<>(reservedPins);
        Map<Integer, String> units = new HashMap<>();
        if (reservedUnit != null) {
            units.put(reservedUnit, "the main meter");
        }
        Map<String, Integer> ids = new HashMap<>();
        List<CircuitSpec> out = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode e = root.get(i);
            String label = "circuit " + (i + 1) + (e.path("id").isTextual() ? " (\"" + e.get("id").asText() + "\")" : "");
            try {
                CircuitSpec c = entry(e);
                Integer same = ids.putIfAbsent(c.id(), i + 1);
                if (same != null) {
                    throw new IllegalArgumentException("id \"" + c.id() + "\" is circuit " + same + "'s already");
                }
                String what = "circuit " + c.id();
                if (c.measure() instanceof CircuitSpec.Modbus m) {
                    claim(units, m.unit(), what, "Modbus unit");
                } else if (c.measure() instanceof CircuitSpec.S0 s) {
                    claim(pins, s.pin(), what + "'s S0 input", "GPIO");
                }
                if (c.relay() != null) {
                    claim(pins, c.relay().pin(), what + "'s relay", "GPIO");
                    if (c.relay().feedbackPin() >= 0) {
                        claim(pins, c.relay().feedbackPin(), what + "'s relay feedback", "GPIO");
                    }
                }
                out.add(c);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(label + ": " + ex.getMessage());
            }
        }
        return List.copyOf(out);
    }

    private static void claim(Map<Integer, String> used, int n, String what, String thing) {
        String other = used.putIfAbsent(n, what);
        if (other != null) {
            throw new IllegalArgumentException(thing + " " + n + " is used by " + other + " already");
        }
    }

    private static CircuitSpec entry(JsonNode e) {
        if (!e.isObject()) {
            throw new IllegalArgumentException("must be a JSON object");
        }
        known(e, ENTRY_FIELDS, "");
        String id = text(e, "id", true);
        if (!CircuitInfo.isValidId(id)) {
            throw new IllegalArgumentException("id \"" + id + "\" must match " + CircuitInfo.ID.pattern());
        }
        String name = text(e, "name", true);
        String kindName = text(e, "kind", true);
        CircuitKind kind;
        try {
            kind = CircuitKind.valueOf(kindName.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("kind \"" + kindName + "\" is none of " + Arrays.toString(CircuitKind.values()));
        }
        boolean critical = bool(e, "critical", false);
        JsonNode measure = e.get("measure");
        if (measure == null || !measure.isObject()) {
            throw new IllegalArgumentException("measure is required: {\"modbusUnit\": N, \"map\": \"pzem004t\"} or {\"s0Pin\": N, \"pulsesPerKwh\": N}");
        }
        CircuitSpec.Measure m = measure(measure);
        CircuitSpec.Relay relay = null;
        JsonNode r = e.get("relay");
        if (r != null && !r.isNull()) {
            if (!r.isObject()) {
                throw new IllegalArgumentException("relay must be an object {\"pin\": N, \"activeLow\": false, \"feedbackPin\": -1}");
            }
            known(r, RELAY_FIELDS, "relay.");
            if (!r.has("pin")) {
                throw new IllegalArgumentException("relay.pin is required");
            }
            int pin = pin(r, "pin", "relay.pin");
            int feedback = r.has("feedbackPin") ? integer(r, "feedbackPin", "relay.feedbackPin") : -1;
            if (feedback != -1) {
                feedback = pin(r, "feedbackPin", "relay.feedbackPin");
            }
            if (feedback == pin) {
                throw new IllegalArgumentException("relay.feedbackPin must differ from relay.pin");
            }
            relay = new CircuitSpec.Relay(pin, bool(r, "activeLow", false), feedback);
        }
        try {
            CircuitSpec c = new CircuitSpec(id, name, kind, critical, m, relay);
            c.info(); // the contract's checks on the name
            return c;
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(ex.getMessage());
        }
    }

    private static CircuitSpec.Measure measure(JsonNode m) {
        boolean modbus = m.has("modbusUnit");
        boolean s0 = m.has("s0Pin");
        if (modbus == s0) {
            throw new IllegalArgumentException("measure needs exactly one of modbusUnit (a meter on the Modbus line) or s0Pin (S0 pulses on a GPIO)");
        }
        if (modbus) {
            known(m, MODBUS_FIELDS, "measure.");
            int unit = integer(m, "modbusUnit", "measure.modbusUnit");
            if (unit < 1 || unit > 247) {
                throw new IllegalArgumentException("measure.modbusUnit must be 1 to 247, not " + unit);
            }
            ModbusRegisterMap map = m.has("map") ? ModbusRegisterMap.named(text(m, "map", true)) : DEFAULT_MAP;
            return new CircuitSpec.Modbus(unit, map);
        }
        known(m, S0_FIELDS, "measure.");
        int pin = pin(m, "s0Pin", "measure.s0Pin");
        int pulses = m.has("pulsesPerKwh") ? integer(m, "pulsesPerKwh", "measure.pulsesPerKwh") : DEFAULT_PULSES_PER_KWH;
        if (pulses <= 0) {
            throw new IllegalArgumentException("measure.pulsesPerKwh must be positive, not " + pulses);
        }
        return new CircuitSpec.S0(pin, pulses, bool(m, "activeLow", false));
    }

    private static void known(JsonNode o, Set<String> fields, String prefix) {
        for (Iterator<String> it = o.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!fields.contains(f)) {
                throw new IllegalArgumentException("unknown field " + prefix + f + " (known: " + String.join(", ", fields.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String text(JsonNode o, String field, boolean required) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new IllegalArgumentException(field + " is required");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException(field + " must be a string");
        }
        return v.asText();
    }

    private static boolean bool(JsonNode o, String field, boolean absent) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return absent;
        }
        if (!v.isBoolean()) {
            throw new IllegalArgumentException(field + " must be true or false");
        }
        return v.asBoolean();
    }

    private static int integer(JsonNode o, String field, String path) {
        JsonNode v = o.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException(path + " must be a whole number");
        }
        return v.asInt();
    }

    private static int pin(JsonNode o, String field, String path) {
        int pin = integer(o, field, path);
        if (pin < 0 || pin > MAX_BCM_PIN) {
            throw new IllegalArgumentException(path + " must be a BCM GPIO number, 0 to " + MAX_BCM_PIN + ", not " + pin);
        }
        return pin;
    }
}
