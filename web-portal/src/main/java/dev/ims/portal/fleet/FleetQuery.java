package dev.ims.portal.fleet;

import dev.ims.portal.web.HttpError;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * One question to the fleet: which page, how many per page, a search in meter ID and owner, the states wanted (a meter in
 * any of them matches; none: every meter), the sort. {@link #parse} validates the API's and the page's parameters;
 * {@link #answer} answers from entries in memory. Immutable.
 *
 * @param page 1-based
 * @param q lower-cased search text, or null
 */
public record FleetQuery(int page, int size, String q, Set<FleetState> states, Sort sort, boolean descending) {

    public static final int DEFAULT_SIZE = 50;
    public static final int MAX_SIZE = 200;
    /** A search longer than this is refused: meter IDs are at most 64 characters, usernames too. */
    public static final int MAX_Q = 64;
    /** The deepest page one may ask for (a page size of 1 over a fleet of a million meters). */
    public static final int MAX_PAGE = 1_000_000;

    public enum Sort {
        METER_ID("meterId"), LAST_SEEN("lastSeen"), POWER_W("powerW"), ENERGY_KWH("energyKwh"), STATE("state");

        private final String key;

        Sort(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }
    }

    public FleetQuery {
        states = states.isEmpty() ? Set.of() : Set.copyOf(states);
    }

    /** Every meter, by meter ID, the first page. */
    public static FleetQuery first() {
        return new FleetQuery(1, DEFAULT_SIZE, null, Set.of(), Sort.METER_ID, false);
    }

    /**
     * The query of these parameters ({@code page}, {@code size}, {@code q}, {@code state} (repeatable, or comma-separated),
     * {@code sort}, {@code order}); absent or blank ones take their defaults, a bad one is a 400 naming it.
     */
    public static FleetQuery parse(Function<String, String> one, Function<String, List<String>> all) {
        int page = whole("page", one.apply("page"), 1, MAX_PAGE);
        int size = whole("size", one.apply("size"), DEFAULT_SIZE, MAX_SIZE);
        String q = one.apply("q");
        if (q != null) {
            q = q.strip();
            if (q.length() > MAX_Q || q.chars().anyMatch(Character::isISOControl)) {
                throw HttpError.badRequest("q must be at most " + MAX_Q + " characters on one line");
            }
            q = q.isEmpty() ? null : q.toLowerCase(Locale.ROOT);
        }
        Set<FleetState> states = EnumSet.noneOf(FleetState.class);
        for (String raw : all.apply("state")) {
            for (String s : raw.split(",")) {
                if (s.isBlank()) {
                    continue;
                }
                FleetState state = FleetState.of(s.strip());
                if (state == null) {
                    throw HttpError.badRequest("state must be one or more of " + keys() + ", got '" + clip(s) + "'");
                }
                states.add(state);
            }
        }
        String sortRaw = one.apply("sort");
        Sort sort = Sort.METER_ID;
        if (sortRaw != null && !sortRaw.isBlank()) {
            sort = null;
            for (Sort s : Sort.values()) {
                if (s.key.equals(sortRaw.strip())) {
                    sort = s;
                }
            }
            if (sort == null) {
                throw HttpError.badRequest("sort must be one of meterId, lastSeen, powerW, energyKwh, state; got '" + clip(sortRaw) + "'");
            }
        }
        String order = one.apply("order");
        boolean descending;
        if (order == null || order.isBlank()) {
            descending = sort == Sort.LAST_SEEN || sort == Sort.POWER_W || sort == Sort.ENERGY_KWH; // the largest first
        } else if (order.strip().equals("asc") || order.strip().equals("desc")) {
            descending = order.strip().equals("desc");
        } else {
            throw HttpError.badRequest("order must be asc or desc; got '" + clip(order) + "'");
        }
        return new FleetQuery(page, size, q, states, sort, descending);
    }

    private static String keys() {
        return String.join(", ", java.util.Arrays.stream(FleetState.values()).map(FleetState::key).toList());
    }

    private static String clip(String s) {
        String t = s.length() > 40 ? s.substring(0, 40) + "…" : s;
        return t.replaceAll("\\p{Cntrl}", "?");
    }

    private static int whole(String name, String raw, int defaultValue, int max) {
        if (raw == null || raw.isBlank()) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(raw.strip());
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw HttpError.badRequest(name + " must be a whole number from 1 to " + max);
    }

    /**
     * The answer at {@code now} over {@code entries}: {@code total} meters, {@code matched} by the search and states,
     * this page of them in order, and the counts per state over the whole fleet (not just the matched meters).
     */
    public FleetPage answer(Collection<FleetEntry> entries, Instant now) {
        return FleetSnapshot.of(entries, now).answer(this);
    }

    /** The order: the sort key (absent values last in either direction), then the meter ID. */
    Comparator<FleetEntry> comparator(Instant now) {
        Comparator<FleetEntry> byId = Comparator.comparing(FleetEntry::meterId);
        Comparator<FleetEntry> key = switch (sort) {
            case METER_ID -> byId;
            case LAST_SEEN -> nullsLast(FleetEntry::lastSeen);
            case POWER_W -> nullsLast(FleetEntry::powerW);
            case ENERGY_KWH -> nullsLast(FleetEntry::energyKwh);
            case STATE -> Comparator.comparing((FleetEntry e) -> e.connectionState(now).ordinal());
        };
        if (sort == Sort.METER_ID) {
            return descending ? byId.reversed() : byId;
        }
        if (sort == Sort.STATE) {
            return (descending ? key.reversed() : key).thenComparing(byId);
        }
        Comparator<FleetEntry> present = descending ? reversedPresent(key) : key;
        return present.thenComparing(byId);
    }

    private <T extends Comparable<T>> Comparator<FleetEntry> nullsLast(Function<FleetEntry, T> f) {
        return Comparator.comparing(f, Comparator.nullsLast(Comparator.naturalOrder()));
    }

    /** Descending on present values, absent still last. */
    private Comparator<FleetEntry> reversedPresent(Comparator<FleetEntry> ascendingNullsLast) {
        Function<FleetEntry, Object> value = switch (sort) {
            case LAST_SEEN -> FleetEntry::lastSeen;
            case POWER_W -> FleetEntry::powerW;
            case ENERGY_KWH -> FleetEntry::energyKwh;
            default -> e -> e.meterId();
        };
        return (a, b) -> {
            boolean na = value.apply(a) == null;
            boolean nb = value.apply(b) == null;
            if (na || nb) {
                return Boolean.compare(na, nb);
            }
            return ascendingNullsLast.compare(b, a);
        };
    }

    /** The query string of this query on another page ({@code page=n&size=...}), for the page's links. */
    public String queryString(int otherPage) {
        StringBuilder sb = new StringBuilder("page=").append(otherPage).append("&size=").append(size);
        if (q != null) {
            sb.append("&q=").append(java.net.URLEncoder.encode(q, java.nio.charset.StandardCharsets.UTF_8));
        }
        for (FleetState s : FleetState.values()) {
            if (states.contains(s)) {
                sb.append("&state=").append(s.key());
            }
        }
        return sb.append("&sort=").append(sort.key).append("&order=").append(descending ? "desc" : "asc").toString();
    }
}
