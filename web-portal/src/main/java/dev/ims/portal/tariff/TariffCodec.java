package dev.ims.portal.tariff;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ims.model.json.Fields;
import dev.ims.model.json.Json;
import java.io.IOException;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Currency;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The JSON form of a {@link TariffBook}, as staff write it:
 *
 * <pre>{@code
 * {"versions":[{"validFrom":"2026-01-01","name":"Home dual rate","currency":"EUR","pricePerKwh":0.30,
 *   "standingChargePerDay":0.45,"vatPercent":20,"feedInPricePerKwh":0.08,
 *   "bands":[{"name":"night","pricePerKwh":0.18,"days":["MONDAY"],"fromHour":22,"toHour":6}],
 *   "tiers":[{"upToKwh":200,"surchargePerKwh":0},{"upToKwh":null,"surchargePerKwh":0.05}]}]}
 * }</pre>
 *
 * <p>Reading is strict, since a typo in a tariff silently mis-bills: unknown fields, wrong types and
 * out-of-range values are {@link TariffException}s whose message starts with the field's path, e.g.
 * {@code versions[0].bands[1].fromHour must be a whole number 0..23}. Optional: {@code bands},
 * {@code tiers} (empty), {@code standingChargePerDay}, {@code vatPercent} (0), {@code feedInPricePerKwh}
 * (absent or null: export is not paid for; written only when set, so older readers see the same JSON), a band's {@code days} (all
 * seven) and a tier's {@code upToKwh} (no limit); {@code null} is only accepted for {@code upToKwh} and {@code feedInPricePerKwh}. Days
 * are weekday names, their three-letter forms or {@code WEEKDAYS}/{@code WEEKEND}, in any case. The
 * currency must be a known ISO 4217 code.
 */
public final class TariffCodec {

    private static final Set<String> BOOK_FIELDS = Set.of("versions");
    private static final Set<String> VERSION_FIELDS = Set.of(
            "validFrom", "name", "currency", "pricePerKwh", "standingChargePerDay", "vatPercent", "feedInPricePerKwh", "bands",
            "tiers");
    private static final Set<String> BAND_FIELDS = Set.of("name", "pricePerKwh", "days", "fromHour", "toHour");
    private static final Set<String> TIER_FIELDS = Set.of("upToKwh", "pricePerKwh", "surchargePerKwh");

    private static final Set<DayOfWeek> WEEKDAYS =
            Collections.unmodifiableSet(EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY));
    private static final Set<DayOfWeek> WEEKEND =
            Collections.unmodifiableSet(EnumSet.of(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY));
    private static final Set<DayOfWeek> ALL_DAYS = Collections.unmodifiableSet(EnumSet.allOf(DayOfWeek.class));
    private static final Map<String, Set<DayOfWeek>> DAY_NAMES = dayNames();

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private TariffCodec() {}

    /** The book in UTF-8 JSON {@code json}. */
    public static TariffBook readBook(byte[] json) {
        if (json == null) {
            throw new TariffException("tariff is not valid JSON: no content");
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new TariffException("tariff is not valid JSON: " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new TariffException("tariff is not valid JSON: " + firstLine(e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new TariffException("tariff must be a JSON object with a versions array");
        }
        knownFields(root, BOOK_FIELDS, "");
        JsonNode list = required(root, "versions", "");
        if (!list.isArray()) {
            throw wrongType("versions", "an array", list);
        }
        if (list.isEmpty()) {
            throw new TariffException("versions must list at least one version");
        }
        List<TariffVersion> versions = new ArrayList<>(list.size());
        Map<LocalDate, Integer> seen = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            String path = "versions[" + i + "]";
            TariffVersion v = readVersion(list.get(i), path + ".");
            Integer earlier = seen.putIfAbsent(v.validFrom(), i);
            if (earlier != null) {
                throw new TariffException(path + ".validFrom " + v.validFrom() + " is already the validFrom of versions["
                        + earlier + "]");
            }
            versions.add(v);
        }
        return new TariffBook(versions);
    }

    /** The UTF-8 JSON of {@code book}; {@link #readBook} of it equals {@code book}. */
    public static byte[] writeBook(TariffBook book) {
        ObjectNode root = NODES.objectNode();
        ArrayNode list = root.putArray("versions");
        for (TariffVersion v : book.versions()) {
            list.add(writeVersion(v));
        }
        return Json.bytes(root);
    }

    /** One version object (as in the {@code versions} array); error paths start at its fields. */
    public static TariffVersion readVersion(JsonNode node) {
        return readVersion(node, "");
    }

    public static JsonNode writeVersion(TariffVersion v) {
        ObjectNode o = NODES.objectNode();
        o.put("validFrom", v.validFrom().toString());
        o.put("name", v.name());
        o.put("currency", v.currency());
        o.put("pricePerKwh", v.pricePerKwh());
        o.put("standingChargePerDay", v.standingChargePerDay());
        o.put("vatPercent", v.vatPercent());
        if (v.feedInPricePerKwh() != null) {
            o.put("feedInPricePerKwh", v.feedInPricePerKwh());
        }
        ArrayNode bands = o.putArray("bands");
        for (Band b : v.bands()) {
            ObjectNode bo = bands.addObject();
            bo.put("name", b.name());
            bo.put("pricePerKwh", b.pricePerKwh());
            if (!b.days().equals(ALL_DAYS)) {
                ArrayNode days = bo.putArray("days");
                if (b.days().equals(WEEKDAYS)) {
                    days.add("WEEKDAYS");
                } else if (b.days().equals(WEEKEND)) {
                    days.add("WEEKEND");
                } else {
                    EnumSet.copyOf(b.days()).forEach(d -> days.add(d.name()));
                }
            }
            bo.put("fromHour", b.fromHour());
            bo.put("toHour", b.toHour());
        }
        ArrayNode tiers = o.putArray("tiers");
        for (Tier t : v.tiers()) {
            ObjectNode to = tiers.addObject();
            if (t.upToKwh() == null) {
                to.putNull("upToKwh");
            } else {
                to.put("upToKwh", t.upToKwh());
            }
            if (t.pricePerKwh() != null) {
                to.put("pricePerKwh", t.pricePerKwh());
            } else {
                to.put("surchargePerKwh", t.surchargePerKwh());
            }
        }
        return o;
    }

    private static TariffVersion readVersion(JsonNode node, String path) {
        String where = path.isEmpty() ? "a version" : path.substring(0, path.length() - 1);
        if (node == null || !node.isObject()) {
            throw new TariffException(where + " must be an object");
        }
        knownFields(node, VERSION_FIELDS, path);
        LocalDate validFrom = date(required(node, "validFrom", path), path + "validFrom");
        String name = name(required(node, "name", path), path + "name");
        String currency = currency(required(node, "currency", path), path + "currency");
        double price = nonNegative(required(node, "pricePerKwh", path), path + "pricePerKwh");
        double standing = node.has("standingChargePerDay")
                ? nonNegative(node.get("standingChargePerDay"), path + "standingChargePerDay")
                : 0;
        double vat = 0;
        if (node.has("vatPercent")) {
            vat = number(node.get("vatPercent"), path + "vatPercent", "a number from 0 to 100");
            if (vat < 0 || vat > 100) {
                throw new TariffException(path + "vatPercent must be a number from 0 to 100");
            }
        }
        JsonNode feedInNode = node.get("feedInPricePerKwh");
        Double feedIn = feedInNode == null || feedInNode.isNull() ? null : nonNegative(feedInNode, path + "feedInPricePerKwh");
        List<Band> bands = new ArrayList<>();
        for (JsonNode b : array(node, "bands", path)) {
            bands.add(band(b, path + "bands[" + bands.size() + "]"));
        }
        List<Tier> tiers = new ArrayList<>();
        Double previousLimit = 0.0;
        for (JsonNode t : array(node, "tiers", path)) {
            String tierPath = path + "tiers[" + tiers.size() + "]";
            if (previousLimit == null) {
                throw new TariffException(path + "tiers[" + (tiers.size() - 1) + "].upToKwh may be null only on the last tier");
            }
            Tier tier = tier(t, tierPath);
            if (tier.upToKwh() != null && tier.upToKwh() <= previousLimit) {
                throw new TariffException(tierPath + ".upToKwh must be greater than the previous tier's");
            }
            previousLimit = tier.upToKwh();
            tiers.add(tier);
        }
        try {
            return new TariffVersion(validFrom, name, currency, price, bands, tiers, standing, vat, feedIn);
        } catch (TariffException e) {
            throw new TariffException(where + ": " + e.getMessage());
        }
    }

    private static Band band(JsonNode node, String path) {
        if (!node.isObject()) {
            throw wrongType(path, "an object", node);
        }
        knownFields(node, BAND_FIELDS, path + ".");
        String name = name(required(node, "name", path + "."), path + ".name");
        double price = nonNegative(required(node, "pricePerKwh", path + "."), path + ".pricePerKwh");
        Set<DayOfWeek> days = node.has("days") ? days(node.get("days"), path + ".days") : ALL_DAYS;
        int from = hour(required(node, "fromHour", path + "."), path + ".fromHour", 0, 23);
        int to = hour(required(node, "toHour", path + "."), path + ".toHour", 1, 24);
        if (from == to) {
            throw new TariffException(path + ".toHour must differ from fromHour");
        }
        try {
            return new Band(name, price, days, from, to);
        } catch (TariffException e) {
            throw new TariffException(path + ": " + e.getMessage());
        }
    }

    private static Tier tier(JsonNode node, String path) {
        if (!node.isObject()) {
            throw wrongType(path, "an object", node);
        }
        knownFields(node, TIER_FIELDS, path + ".");
        Double upTo = null;
        JsonNode limit = node.get("upToKwh");
        if (limit != null && !limit.isNull()) {
            upTo = number(limit, path + ".upToKwh", "a positive number or null");
            if (!(upTo > 0)) {
                throw new TariffException(path + ".upToKwh must be a positive number or null");
            }
        }
        if (node.has("pricePerKwh") == node.has("surchargePerKwh")) {
            throw new TariffException(path + " needs exactly one of pricePerKwh or surchargePerKwh");
        }
        Double price = node.has("pricePerKwh") ? nonNegative(node.get("pricePerKwh"), path + ".pricePerKwh") : null;
        Double surcharge = node.has("surchargePerKwh")
                ? number(node.get("surchargePerKwh"), path + ".surchargePerKwh", "a number")
                : null;
        try {
            return new Tier(upTo, price, surcharge);
        } catch (TariffException e) {
            throw new TariffException(path + ": " + e.getMessage());
        }
    }

    private static Set<DayOfWeek> days(JsonNode node, String path) {
        if (!node.isArray()) {
            throw wrongType(path, "an array of weekdays", node);
        }
        if (node.isEmpty()) {
            throw new TariffException(path + " must name at least one weekday");
        }
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        for (int i = 0; i < node.size(); i++) {
            JsonNode d = node.get(i);
            Set<DayOfWeek> named = d.isTextual() ? DAY_NAMES.get(d.asText().toUpperCase(Locale.ROOT)) : null;
            if (named == null) {
                throw new TariffException(path + "[" + i + "] must be a weekday such as MONDAY or MON, WEEKDAYS or WEEKEND, got "
                        + shown(d));
            }
            days.addAll(named);
        }
        return days;
    }

    private static LocalDate date(JsonNode node, String path) {
        if (node.isTextual()) {
            try {
                return LocalDate.parse(node.asText());
            } catch (DateTimeParseException e) {
                // reported below
            }
        }
        throw new TariffException(path + " must be a date such as 2026-01-01, got " + shown(node));
    }

    private static String name(JsonNode node, String path) {
        if (!node.isTextual() || node.asText().isBlank()) {
            throw new TariffException(path + " must be a non-blank string, got " + shown(node));
        }
        return node.asText();
    }

    private static String currency(JsonNode node, String path) {
        if (node.isTextual() && node.asText().matches("[A-Z]{3}")) {
            try {
                return Currency.getInstance(node.asText()).getCurrencyCode();
            } catch (IllegalArgumentException e) {
                // reported below
            }
        }
        throw new TariffException(path + " must be an ISO 4217 currency code such as EUR, got " + shown(node));
    }

    private static double nonNegative(JsonNode node, String path) {
        double value = number(node, path, "a non-negative number");
        if (value < 0) {
            throw new TariffException(path + " must be a non-negative number, got " + shown(node));
        }
        return value;
    }

    private static double number(JsonNode node, String path, String expected) {
        if (!node.isNumber() || !Double.isFinite(node.doubleValue())) {
            throw new TariffException(path + " must be " + expected + ", got " + shown(node));
        }
        return node.doubleValue();
    }

    private static int hour(JsonNode node, String path, int min, int max) {
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < min || node.intValue() > max) {
            throw new TariffException(path + " must be a whole number " + min + ".." + max + ", got " + shown(node));
        }
        return node.intValue();
    }

    private static JsonNode required(JsonNode object, String field, String path) {
        JsonNode value = object.get(field);
        if (value == null) {
            throw new TariffException(path + field + " is required");
        }
        return value;
    }

    private static Iterable<JsonNode> array(JsonNode object, String field, String path) {
        JsonNode value = object.get(field);
        if (value == null) {
            return List.of();
        }
        if (!value.isArray()) {
            throw wrongType(path + field, "an array", value);
        }
        return value;
    }

    private static void knownFields(JsonNode object, Set<String> known, String path) {
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!known.contains(field)) {
                throw new TariffException(path + Fields.abbreviate(field) + " is not a known field (known: "
                        + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private static TariffException wrongType(String path, String expected, JsonNode actual) {
        return new TariffException(path + " must be " + expected + ", got " + shown(actual));
    }

    /** A value from the input for an error message: the JSON type, and short text when it is a scalar. */
    private static String shown(JsonNode node) {
        if (node.isContainerNode() || node.isMissingNode()) {
            return node.getNodeType().name().toLowerCase(Locale.ROOT);
        }
        return node.getNodeType().name().toLowerCase(Locale.ROOT) + " " + Fields.abbreviate(node.toString());
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        return line.length() <= 200 ? line : line.substring(0, 197) + "...";
    }

    private static Map<String, Set<DayOfWeek>> dayNames() {
        Map<String, Set<DayOfWeek>> names = new HashMap<>();
        for (DayOfWeek d : DayOfWeek.values()) {
            names.put(d.name(), Set.of(d));
            names.put(d.name().substring(0, 3), Set.of(d));
        }
        names.put("WEEKDAYS", WEEKDAYS);
        names.put("WEEKEND", WEEKEND);
        return Map.copyOf(names);
    }
}
