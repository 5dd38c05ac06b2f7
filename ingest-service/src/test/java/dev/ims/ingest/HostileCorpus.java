package dev.ims.ingest;

import dev.ims.model.reading.InvalidPayloadException;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.ReadingCodec;
import dev.ims.model.reading.RejectReason;
import dev.ims.model.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Hostile reading payloads: hand-written ones for every way the contract can be broken, and seeded
 * mutations of valid readings. Each case has its own topic, so its entry in {@code rejected} can be found,
 * and its expected reason is what the contract's codec says about it (a mutation that happens to be a valid
 * reading is not hostile and is replaced by another).
 */
final class HostileCorpus {

    /** One hostile message and the reason it must be rejected with. */
    record Case(String name, String topic, byte[] payload, RejectReason expected) {}

    private static final ReadingCodec CODEC = new ReadingCodec();
    private static final Topics TOPICS = Topics.defaults();

    private final String run;
    private final Instant ts = Instant.now().minusSeconds(86_400);
    private final List<Case> cases = new ArrayList<>();
    private int n;

    HostileCorpus(String run) {
        this.run = run;
    }

    List<Case> cases() {
        return cases;
    }

    /** The hand-written cases, {@code copies} times each (with fresh meter IDs). */
    HostileCorpus handWritten(int copies) {
        for (int c = 0; c < copies; c++) {
            json("truncated", "{\"meterId\":\"%ID%\",\"seq\":1,\"ts\":\"" + ts + "\",\"energyKw");
            json("broken", "{meterId: %ID%}");
            json("empty", "");
            json("array", "[1,2,3]");
            json("string", "\"reading\"");
            json("number", "42");
            json("null", "null");
            json("seq as string", reading("\"seq\":\"1\""));
            json("seq fractional", reading("\"seq\":1.5"));
            json("seq negative", reading("\"seq\":-1"));
            json("energy as string", reading("\"energyKwh\":\"12\""));
            json("energy negative", reading("\"energyKwh\":-1"));
            json("energy huge", reading("\"energyKwh\":1e20"));
            json("energy overflow", reading("\"energyKwh\":1e309"));
            json("energy NaN token", reading("\"energyKwh\":NaN"));
            json("energy Infinity token", reading("\"energyKwh\":Infinity"));
            json("energy NaN string", reading("\"energyKwh\":\"NaN\""));
            json("power Infinity", reading("\"powerW\":-Infinity"));
            json("voltage object", reading("\"voltageV\":{}"));
            json("missing meterId", without("meterId"));
            json("missing seq", without("seq"));
            json("missing ts", without("ts"));
            json("missing energyKwh", without("energyKwh"));
            json("missing status", without("status"));
            json("status unknown", reading("\"status\":\"MAYBE\""));
            json("fault unknown", explicit("\"status\":\"FAULT\",\"fault\":\"GREMLINS\""));
            json("fault without code", explicit("\"status\":\"FAULT\",\"fault\":null"));
            json("code with OK", explicit("\"status\":\"OK\",\"fault\":\"TAMPER\""));
            json("relay unknown", reading("\"relay\":\"HALF\""));
            json("ts not a time", reading("\"ts\":\"yesterday\""));
            json("ts number", reading("\"ts\":1732000000"));
            json("ts future", reading("\"ts\":\"2999-01-01T00:00:00Z\""));
            json("ts ancient", reading("\"ts\":\"1970-01-01T00:00:00Z\""));
            json("duplicate key", "{\"meterId\":\"%ID%\",\"seq\":1,\"seq\":2,\"ts\":\"" + ts + "\",\"energyKwh\":1,\"status\":\"OK\"}");
            json("id mismatch", reading("\"meterId\":\"someone-else\""));
            json("id invalid in payload", reading("\"meterId\":\"a b\""));
            json("id too long in payload", reading("\"meterId\":\"" + "x".repeat(65) + "\""));
            json("deep nesting", reading("\"extra\":" + "[".repeat(40) + "]".repeat(40)));
            json("oversized", reading("\"note\":\"" + "x".repeat(17 * 1024) + "\""));
            String u = id();
            add("invalid utf-8", topic(u), concat(reading("\"note\":\"").replace("%ID%", u).getBytes(StandardCharsets.UTF_8),
                    new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF}, "\"}".getBytes(StandardCharsets.UTF_8)));
            // Topics the ingest subscribes to whose meter level is not a meter ID.
            String bad = "bad id " + run + "-" + (n++);
            add("topic id with space", TOPICS.prefix() + "/" + bad + "/reading", reading("").replace("%ID%", bad).getBytes(StandardCharsets.UTF_8));
            String longId = "L" + run + (n++) + "x".repeat(70);
            add("topic id too long", TOPICS.prefix() + "/" + longId + "/reading", reading("").replace("%ID%", longId).getBytes(StandardCharsets.UTF_8));
        }
        return this;
    }

    /** {@code count} mutants of valid readings, from a seeded generator. */
    HostileCorpus fuzzed(int count, long seed) {
        Random random = new Random(seed);
        int made = 0;
        while (made < count) {
            String id = id();
            byte[] valid = CODEC.encode(Reading.of(id, random.nextInt(1000), ts, random.nextDouble() * 1000, 500.0, 230.0, 2.2, null, null));
            byte[] mutant = mutate(valid, random);
            RejectReason reason = reasonOf(id, mutant);
            if (reason != null) {
                cases.add(new Case("fuzz", topic(id), mutant, reason));
                made++;
            }
        }
        return this;
    }

    private static byte[] mutate(byte[] valid, Random random) {
        String text = new String(valid, StandardCharsets.UTF_8);
        switch (random.nextInt(7)) {
            case 0 -> { // flip bytes
                byte[] b = valid.clone();
                for (int i = 0; i < 1 + random.nextInt(4); i++) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
                return b;
            }
            case 1 -> { // truncate
                return java.util.Arrays.copyOf(valid, random.nextInt(valid.length));
            }
            case 2 -> { // drop a required field
                String[] fields = {"meterId", "seq", "ts", "energyKwh", "status"};
                return text.replaceFirst("\"" + fields[random.nextInt(fields.length)] + "\":(\"[^\"]*\"|[^,}]*),?", "")
                        .getBytes(StandardCharsets.UTF_8);
            }
            case 3 -> { // swap a value's type
                String[] swaps = {"\"seq\":\"x\"", "\"seq\":true", "\"energyKwh\":[1]", "\"ts\":42", "\"status\":7", "\"meterId\":{}"};
                String swap = swaps[random.nextInt(swaps.length)];
                String field = swap.substring(0, swap.indexOf(':'));
                return text.replaceFirst(field + ":(\"[^\"]*\"|[^,}]*)", java.util.regex.Matcher.quoteReplacement(swap))
                        .getBytes(StandardCharsets.UTF_8);
            }
            case 4 -> { // random unicode and control characters somewhere
                StringBuilder b = new StringBuilder(text);
                for (int i = 0; i < 1 + random.nextInt(3); i++) {
                    b.insert(random.nextInt(b.length()), (char) random.nextInt(0x3000));
                }
                return b.toString().getBytes(StandardCharsets.UTF_8);
            }
            case 5 -> { // junk bytes
                byte[] b = new byte[1 + random.nextInt(200)];
                random.nextBytes(b);
                return b;
            }
            default -> { // out-of-range numbers
                String[] values = {"-5", "1e400", "-0.001", "9e18"};
                return text.replaceFirst("\"energyKwh\":[^,}]*", "\"energyKwh\":" + values[random.nextInt(values.length)])
                        .getBytes(StandardCharsets.UTF_8);
            }
        }
    }

    /** What the contract's codec says: the reject reason, or null for a valid reading. */
    static RejectReason reasonOf(String topicMeterId, byte[] payload) {
        try {
            CODEC.decode(topicMeterId, payload);
            return null;
        } catch (InvalidPayloadException e) {
            return e.reason();
        }
    }

    private String reading(String override) {
        String base = "{\"meterId\":\"%ID%\",\"seq\":1,\"ts\":\"" + ts + "\",\"energyKwh\":12.5,\"status\":\"OK\",\"fault\":null";
        if (override.isEmpty()) {
            return base + "}";
        }
        String key = override.substring(0, override.indexOf(':'));
        if (base.contains(key + ":")) {
            base = base.replaceFirst(java.util.regex.Pattern.quote(key) + ":(\"[^\"]*\"|[^,}]*)", "");
            base = base.replace(",,", ",").replace("{,", "{");
        }
        return base + "," + override + "}";
    }

    /** A reading with the given status and fault fields. */
    private String explicit(String statusAndFault) {
        return "{\"meterId\":\"%ID%\",\"seq\":1,\"ts\":\"" + ts + "\",\"energyKwh\":12.5," + statusAndFault + "}";
    }

    private String without(String field) {
        return reading("").replaceFirst("\"" + field + "\":(\"[^\"]*\"|[^,}]*),?", "");
    }

    private void json(String name, String template) {
        String id = id();
        add(name, topic(id), template.replace("%ID%", id).getBytes(StandardCharsets.UTF_8));
    }

    private void add(String name, String topic, byte[] payload) {
        String meter = TOPICS.parse(topic).map(a -> a.meterId()).orElse(null);
        RejectReason expected = meter == null ? RejectReason.INVALID_TOPIC : reasonOf(meter, payload);
        if (expected == null) {
            throw new IllegalStateException("hand-written case '" + name + "' is a valid reading: " + new String(payload, StandardCharsets.UTF_8));
        }
        cases.add(new Case(name, topic, payload, expected));
    }

    private String id() {
        return "h-" + run + "-" + (n++);
    }

    private static String topic(String id) {
        return TOPICS.prefix() + "/" + id + "/reading";
    }

    private static byte[] concat(byte[]... parts) {
        int len = 0;
        for (byte[] p : parts) {
            len += p.length;
        }
        byte[] out = new byte[len];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
