package dev.ims.portal;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Hostile HTTP requests for the portal: every route with hostile path segments, query parameters,
 * bodies, content types, methods and credentials, hand-written plus seeded random combinations. The
 * same seed always gives the same corpus, so a failure can be replayed.
 */
final class HttpHostileCorpus {

    /** Who sends a request: nobody, one of two consumers, staff, or someone with a forged credential. */
    enum Who { ANONYMOUS, ALICE, BOB, STAFF, FORGED }

    /**
     * One request, sent byte for byte.
     *
     * @param target the request target exactly as written on the request line (may be malformed on purpose)
     * @param kind which family of hostility it belongs to, for the summary
     */
    record Request(String kind, Who who, String method, String target, List<String[]> headers, byte[] body) {
        String describe() {
            String t = target.length() > 160 ? target.substring(0, 160) + "…(" + target.length() + ")" : target;
            return kind + " " + who + " " + method + " " + t + (body == null ? "" : " body " + body.length + " B");
        }
    }

    static final String ALICE_METER = "alices-meter-1";
    static final String BOB_METER = "bobs-meter-77";

    /** Path segments where a meter ID goes. */
    static final List<String> HOSTILE_IDS = List.of(
            "", " ", "nobody", BOB_METER, BOB_METER.toUpperCase(), BOB_METER + " ", ALICE_METER + "/../" + BOB_METER,
            "..", "../../etc/passwd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "%00", ALICE_METER + "%00", "%ZZ", "%", "%C0%AF",
            "%FF%FE", "%E2%80%AE" + ALICE_METER, "%F0%9F%92%A1", "{\"$gt\":\"\"}", "$where", ".*", "^" + ALICE_METER, "(a+)+$",
            "[$ne]", "a".repeat(65), "a".repeat(5_000), "a".repeat(70_000), "<script>alert(1)</script>", "null",
            "undefined", "-1", "0", "1e309", "%0d%0aX-Injected:%201", "%250d%250a", ";", "'", "\\", "m-1;DROP", "m\u0000");

    /** Values for query parameters and form fields. */
    static final List<String> HOSTILE_VALUES = List.of(
            "", " ", "-1", "0", "1", "2147483648", "-2147483649", "99999999999999999999", "1e309", "NaN", "Infinity",
            "-0", "0x10", "2026-02-30", "2026-13-01", "2026-00-10", "+999999999-12-31", "-999999999-01-01",
            "0000-00-00", "2026-03-29T02:30", "2026-03-29T02:30:00+01:00", "9999-12-31", "1970-01-01", "0001-01-01",
            "yesterday", "today", "week", "DAY", "day ", "../../etc/passwd", "%00", "%ZZ", "%", "%C0%AF", "%FF%FE",
            "<script>alert(1)</script>", "\"'><img src=x onerror=alert(1)>", "'; DROP TABLE users; --",
            "{\"$gt\":\"\"}", "$where", ".*", "(a+)+$", "a".repeat(5_000), "\uD83D\uDCA1", "\u202E", "null", "true",
            "[]", "{}", "=cmd|' /C calc'!A0", "\\", "//evil.example", "https://evil.example/", "javascript:alert(1)",
            "/\\evil.example", "\r\nX-Injected: 1");

    static final List<String> PARAM_NAMES = List.of("period", "from", "to", "limit", "date", "view", "next");

    /** GET routes; {id} is replaced by a meter ID. */
    static final List<String> GET_ROUTES = List.of(
            "/", "/health", "/login", "/signup", "/account", "/staff/tariffs", "/api/v1/me", "/api/v1/meters",
            "/api/v1/rejected", "/api/v1/tariffs", "/meters/{id}", "/api/v1/meters/{id}", "/api/v1/meters/{id}/readings",
            "/api/v1/meters/{id}/usage", "/api/v1/meters/{id}/usage.csv", "/api/v1/meters/{id}/readings.csv",
            "/api/v1/meters/{id}/peaks", "/api/v1/meters/{id}/gaps", "/static/style.css", "/static/{id}", "/api/v1/commands/{id}",
            "/api/v1/meters/{id}/commands", "/api/v1/alarms", "/api/v1/meters/{id}/quarantine",
            "/staff/broker", "/api/v1/broker", "/staff/alarms", "/api/v1/alarms/METER_FAULT/{id}", "/api/v1/alarms/TAMPER/{id}/1764400000000",
            "/api/v1/fleet", "/api/v1/fleet/load", "/staff/bulk", "/api/v1/commands/bulk/{id}", "/staff/bulk/{id}");

    /** Write routes that take a body. The log-outs are left out: a hostile log-out with a real token is a real log-out. */
    static final List<String> WRITE_ROUTES = List.of(
            "POST /login", "POST /signup", "POST /account/password", "POST /account/meters", "POST /api/v1/login",
            "POST /api/v1/meters/{id}/claim", "POST /staff/tariffs", "PUT /api/v1/tariffs/{date}", "DELETE /api/v1/tariffs/{date}",
            "POST /api/v1/meters/{id}/relay", "POST /meters/{id}/relay", "POST /api/v1/rejected/{rid}/accept",
            "POST /api/v1/rejected/{rid}/discard", "POST /meters/{id}/quarantine/{rid}/accept", "POST /meters/{id}/quarantine/{rid}/discard",
            "POST /api/v1/alarms/TAMPER/{id}/acknowledge", "POST /api/v1/alarms/TAMPER/{id}/clear", "POST /staff/alarms/acknowledge",
            "POST /staff/alarms/clear", "POST /api/v1/commands/bulk", "POST /staff/bulk", "POST /api/v1/commands/{id}/approve",
            "POST /api/v1/commands/{id}/reject", "PUT /api/v1/meters/{id}/do-not-disconnect", "DELETE /api/v1/meters/{id}/do-not-disconnect");

    /** A quarantined reading of Alice's meter that HostileHttpIT seeds: only staff may ever decide on it. */
    static final String QUARANTINED_ID = "6b0c5ad7dccca07b1fcca5cf";

    /** Where a rejected document's ID goes: the real one, well-formed unknown ones, and the hostile meter IDs. */
    static final List<String> REJECTED_IDS = List.of(QUARANTINED_ID, "000000000000000000000000", "ffffffffffffffffffffffff",
            QUARANTINED_ID.toUpperCase(), QUARANTINED_ID + "0", QUARANTINED_ID.substring(1), "%36" + QUARANTINED_ID.substring(1));

    static final List<String> FORM_FIELDS = List.of("username", "password", "password2", "current", "meterId", "claimCode", "next", "version", "csrf",
            "relay", "reason");

    static final List<String> CONTENT_TYPES = List.of(
            "application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz",
            "multipart/form-data", "text/plain", "application/json; charset=utf-16", "application/xml", "*/*", "");

    static final List<String> METHODS = List.of("PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "HEAD", "CONNECT", "FOO", "GET", "POST");

    static final List<String> FORGED_AUTH = List.of(
            "Bearer ", "Bearer", "Bearer x", "Bearer " + "x".repeat(10_000), "Basic YWRtaW46YWRtaW4=", "bearer {\"$ne\":null}",
            "Bearer null", "Bearer ../../", "Digest username=admin", "Bearer \u00ff\u00fe");

    static final List<String> FORGED_COOKIES = List.of(
            "ims_session=garbage", "ims_session=", "ims_session=" + "x".repeat(5_000), "ims_session={\"$ne\":null}",
            "ims_csrf=a; ims_session=b", "ims_session=%00", "=; ;;=;", "ims_session=\"quoted\"");

    private final String tariffExample;
    private final Random random;
    private final List<Request> out = new ArrayList<>();

    private HttpHostileCorpus(String tariffExample, long seed) {
        this.tariffExample = tariffExample;
        this.random = new Random(seed);
    }

    /** The corpus: at least {@code atLeast} requests. */
    static List<Request> generate(String tariffExample, long seed, int atLeast) {
        HttpHostileCorpus c = new HttpHostileCorpus(tariffExample, seed);
        c.pathSegments();
        c.queryParameters();
        c.bodies();
        c.methodsAndCredentials();
        while (c.out.size() < atLeast) {
            c.randomCombination();
        }
        return c.out;
    }

    // ---- hand-written families

    private void pathSegments() {
        for (String route : GET_ROUTES) {
            if (!route.contains("{id}")) {
                continue;
            }
            for (String id : HOSTILE_IDS) {
                for (Who who : List.of(Who.ALICE, Who.ANONYMOUS)) {
                    add("path-id", who, "GET", route.replace("{id}", id), List.of(), null);
                }
            }
        }
    }

    private void queryParameters() {
        for (String route : GET_ROUTES) {
            String path = route.replace("{id}", ALICE_METER);
            for (String name : PARAM_NAMES) {
                for (String value : HOSTILE_VALUES) {
                    if (random.nextInt(3) == 0) {
                        add("query", pick(Who.ALICE, Who.STAFF), "GET", path + "?" + name + "=" + encodeSometimes(value), List.of(), null);
                    }
                }
            }
        }
        // Repeated, empty and nameless parameters.
        for (String route : List.of("/api/v1/meters/{id}/usage", "/api/v1/meters/{id}/readings", "/meters/{id}")) {
            String path = route.replace("{id}", ALICE_METER);
            for (String q : List.of("?period=day&period=month", "?from=2026-01-01&from=2026-02-01&to=", "?=&=&", "?&&&",
                    "?limit=1&limit=-1", "?" + "from=2026-01-01&".repeat(2_000), "?a[]=1&a[x]=2", "?period", "?%=%")) {
                add("query", Who.ALICE, "GET", path + q, List.of(), null);
            }
        }
    }

    private void bodies() {
        for (String route : WRITE_ROUTES) {
            for (byte[] body : hostileJsonBodies()) {
                add("json-body", pick(Who.ALICE, Who.STAFF, Who.ANONYMOUS), method(route), target(route),
                        List.<String[]>of(new String[] {"Content-Type", "application/json"}), body);
            }
            for (int i = 0; i < 12; i++) {
                add("form-body", pick(Who.ALICE, Who.STAFF, Who.ANONYMOUS), method(route), target(route),
                        List.<String[]>of(new String[] {"Content-Type", "application/x-www-form-urlencoded"}), hostileForm());
            }
            for (String type : CONTENT_TYPES) {
                add("content-type", pick(Who.ALICE, Who.STAFF), method(route), target(route),
                        type.isEmpty() ? List.of() : List.<String[]>of(new String[] {"Content-Type", type}), pickBody());
            }
        }
        // Tariff versions mutated from the real example: most are refused, the few still valid must be stored sanely.
        for (int i = 0; i < 150; i++) {
            String date = "2027-0" + (1 + random.nextInt(9)) + "-01";
            add("tariff-mutant", Who.STAFF, "PUT", "/api/v1/tariffs/" + date,
                    List.<String[]>of(new String[] {"Content-Type", "application/json"}), mutate(tariffVersion(date)).getBytes(StandardCharsets.UTF_8));
        }
    }

    private void methodsAndCredentials() {
        for (String route : GET_ROUTES) {
            String path = route.replace("{id}", ALICE_METER);
            for (String m : METHODS) {
                add("method", pick(Who.ALICE, Who.ANONYMOUS), m, path, List.of(), null);
            }
            for (String auth : FORGED_AUTH) {
                add("forged-auth", Who.FORGED, "GET", path, List.<String[]>of(new String[] {"Authorization", auth}), null);
            }
            for (String cookie : FORGED_COOKIES) {
                add("forged-cookie", Who.FORGED, "GET", path, List.<String[]>of(new String[] {"Cookie", cookie}), null);
            }
        }
        for (String line : List.of("GET", "GET /", "GET / HTTP/9.9", "GET /health HTTP/1.1 extra", "GET  /health HTTP/1.1",
                "GET /api/v1/meters\u0000 HTTP/1.1", "get /health HTTP/1.1", "GET http://evil.example/health HTTP/1.1",
                "GET * HTTP/1.1", "GET /health?x=\u00ff HTTP/1.1")) {
            add("request-line", Who.ANONYMOUS, line, null, List.of(), null);
        }
        List<String[]> many = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            many.add(new String[] {"X-Header-" + i, "v".repeat(100)});
        }
        add("headers", Who.ALICE, "GET", "/api/v1/meters", many, null);
        add("headers", Who.ALICE, "GET", "/api/v1/meters", List.<String[]>of(new String[] {"X-Big", "v".repeat(20_000)}), null);
        add("headers", Who.ALICE, "GET", "/api/v1/meters", List.<String[]>of(new String[] {"Content-Length", "-1"}), null);
        add("headers", Who.ALICE, "GET", "/api/v1/meters", List.<String[]>of(new String[] {"Transfer-Encoding", "gzip"}), null);
        add("headers", Who.ALICE, "GET", "/api/v1/meters", List.<String[]>of(new String[] {"Host", ""}), null);
        add("headers", Who.ALICE, "GET", "/api/v1/meters", List.<String[]>of(new String[] {"Accept-Encoding", "br;q=NaN, *;q=-1"}), null);
    }

    private void randomCombination() {
        boolean write = random.nextInt(3) == 0;
        Who who = pick(Who.values());
        if (write) {
            String route = pick(WRITE_ROUTES);
            String type = pick(CONTENT_TYPES);
            add("random", who, method(route), target(route), type.isEmpty() ? List.of() : List.<String[]>of(new String[] {"Content-Type", type}),
                    pickBody());
        } else {
            String route = pick(GET_ROUTES);
            String id = random.nextInt(4) == 0 ? pick(HOSTILE_IDS) : random.nextBoolean() ? ALICE_METER : BOB_METER;
            StringBuilder q = new StringBuilder();
            int n = random.nextInt(4);
            for (int i = 0; i < n; i++) {
                q.append(i == 0 ? '?' : '&').append(random.nextInt(8) == 0 ? mutate(pick(PARAM_NAMES)) : pick(PARAM_NAMES)).append('=')
                        .append(encodeSometimes(random.nextBoolean() ? pick(HOSTILE_VALUES) : mutate(plausibleValue())));
            }
            List<String[]> headers = new ArrayList<>();
            if (who == Who.FORGED) {
                headers.add(random.nextBoolean() ? new String[] {"Authorization", pick(FORGED_AUTH)} : new String[] {"Cookie", pick(FORGED_COOKIES)});
            }
            add("random", who, "GET", route.replace("{id}", id) + q, headers, null);
        }
    }

    // ---- pieces

    private List<byte[]> hostileJsonBodies() {
        List<byte[]> b = new ArrayList<>();
        for (String s : List.of("", "{", "}", "[]", "null", "\"text\"", "1e999", "-0", "{\"username\":}", "{'username':'a'}",
                "{\"username\":{\"$ne\":null},\"password\":{\"$ne\":null}}", "{\"username\":[\"admin\"],\"password\":1}",
                "{\"username\":\"admin\",\"password\":\"x\",\"username\":\"alice\"}", "{\"claimCode\":{\"$regex\":\".*\"}}",
                "{\"claimCode\":\"" + "A".repeat(10_000) + "\"}", "{\"claimCode\":null}", "{\"claimCode\":12345}",
                "{\"validFrom\":\"2027-01-01\",\"pricePerKwh\":\"NaN\"}", "{\"validFrom\":\"2027-01-01\",\"pricePerKwh\":1e309}",
                "{\"validFrom\":\"2027-01-01\",\"pricePerKwh\":-1}", "\uFEFF{\"username\":\"a\"}", "{\"a\":\"\\ud800\"}",
                "{\"relay\":\"OFF\"}", "{\"relay\":\"off\",\"reason\":\"abc\"}", "{\"relay\":[\"OFF\"],\"reason\":\"abc\"}",
                "{\"relay\":\"OFF\",\"reason\":\"line\\nbreak\"}", "{\"relay\":\"OFF\",\"reason\":\"" + "r".repeat(501) + "\"}",
                "{\"relay\":\"OFF\",\"reason\":{\"$ne\":null}}")) {
            b.add(s.getBytes(StandardCharsets.UTF_8));
        }
        b.add(("[".repeat(100_000) + "]".repeat(100_000)).getBytes(StandardCharsets.UTF_8));
        b.add(("{\"a\":".repeat(5_000) + "1" + "}".repeat(5_000)).getBytes(StandardCharsets.UTF_8));
        b.add(("{\"pad\":\"" + "x".repeat(70 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8));
        b.add(new byte[] {'{', '"', 'u', '"', ':', '"', (byte) 0xC3, (byte) 0x28, (byte) 0xFF, '"', '}'});
        b.add(new byte[] {(byte) 0xFE, (byte) 0xFF, 0, '{', 0, '}'});
        byte[] noise = new byte[2_000];
        random.nextBytes(noise);
        b.add(noise);
        return b;
    }

    private byte[] hostileForm() {
        StringBuilder f = new StringBuilder();
        int n = 1 + random.nextInt(6);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                f.append('&');
            }
            String name = random.nextInt(6) == 0 ? mutate(pick(FORM_FIELDS)) : pick(FORM_FIELDS);
            f.append(name).append('=').append(encodeSometimes(random.nextInt(3) == 0 ? mutate(plausibleValue()) : pick(HOSTILE_VALUES)));
        }
        return f.toString().getBytes(StandardCharsets.UTF_8);
    }

    private byte[] pickBody() {
        return switch (random.nextInt(4)) {
            case 0 -> pick(hostileJsonBodies());
            case 1 -> hostileForm();
            case 2 -> mutate(tariffVersion("2027-01-01")).getBytes(StandardCharsets.UTF_8);
            default -> multipart();
        };
    }

    private byte[] multipart() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        String part = "--xyz\r\nContent-Disposition: form-data; name=\"" + pick(FORM_FIELDS) + "\"\r\n\r\n" + pick(HOSTILE_VALUES) + "\r\n";
        b.writeBytes(part.getBytes(StandardCharsets.UTF_8));
        if (random.nextBoolean()) {
            b.writeBytes("--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../x\"\r\n\r\nAAAA\r\n".getBytes(StandardCharsets.UTF_8));
        }
        if (random.nextBoolean()) {
            b.writeBytes("--xyz--\r\n".getBytes(StandardCharsets.UTF_8));
        }
        return b.toByteArray();
    }

    /** One version out of the example tariff file, re-dated. */
    private String tariffVersion(String date) {
        int start = tariffExample.indexOf("{", tariffExample.indexOf("\"versions\""));
        int depth = 0;
        int end = start;
        for (int i = start; i < tariffExample.length(); i++) {
            char ch = tariffExample.charAt(i);
            depth += ch == '{' ? 1 : ch == '}' ? -1 : 0;
            if (depth == 0) {
                end = i + 1;
                break;
            }
        }
        return tariffExample.substring(start, end).replaceFirst("\"validFrom\"\\s*:\\s*\"[^\"]*\"", "\"validFrom\": \"" + date + "\"");
    }

    private String plausibleValue() {
        return pick(List.of("day", "month", "year", "2026-11-24", "2026-03-29", "10", "100", ALICE_METER, "ABCDE-FGHJK",
                "correct-horse-42", "alice-fuzz", "/meters/" + ALICE_METER, "OFF", "ON", "unpaid bill"));
    }

    /** A few random edits: deletions, duplications, hostile insertions, digit changes, character flips. */
    String mutate(String s) {
        StringBuilder b = new StringBuilder(s);
        int edits = 1 + random.nextInt(4);
        for (int i = 0; i < edits; i++) {
            int at = b.length() == 0 ? 0 : random.nextInt(b.length());
            switch (random.nextInt(7)) {
                case 0 -> {
                    if (b.length() > 0) {
                        b.delete(at, Math.min(b.length(), at + 1 + random.nextInt(8)));
                    }
                }
                case 1 -> b.insert(at, pick(List.of("\"", "{", "}", "[", "]", ",", ":", "null", "-", "1e999", "NaN", "\\u0000", "'", "<")));
                case 2 -> b.insert(at, b.substring(at, Math.min(b.length(), at + random.nextInt(20))));
                case 3 -> {
                    if (b.length() > 0 && Character.isDigit(b.charAt(at))) {
                        b.setCharAt(at, (char) ('0' + random.nextInt(10)));
                    } else {
                        b.insert(at, random.nextInt(100_000));
                    }
                }
                case 4 -> {
                    if (b.length() > 0) {
                        b.setCharAt(at, (char) (32 + random.nextInt(95)));
                    }
                }
                case 5 -> b.insert(at, (char) random.nextInt(0x3000));
                default -> b.setLength(Math.max(0, b.length() - random.nextInt(1 + b.length() / 3)));
            }
        }
        return b.toString();
    }

    private String encodeSometimes(String value) {
        return random.nextInt(4) == 0 ? value : URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private String target(String route) {
        String path = route.substring(route.indexOf(' ') + 1);
        String id = random.nextInt(3) == 0 ? pick(HOSTILE_IDS) : random.nextBoolean() ? ALICE_METER : BOB_METER;
        String date = random.nextBoolean() ? "2027-01-01" : encodeSometimes(pick(HOSTILE_VALUES));
        String rid = random.nextBoolean() ? pick(REJECTED_IDS) : pick(HOSTILE_IDS);
        return path.replace("{id}", id).replace("{date}", date).replace("{rid}", rid);
    }

    private static String method(String route) {
        return route.substring(0, route.indexOf(' '));
    }

    private void add(String kind, Who who, String method, String target, List<String[]> headers, byte[] body) {
        out.add(new Request(kind, who, method, target, headers, body));
    }

    @SafeVarargs
    private <T> T pick(T... options) {
        return options[random.nextInt(options.length)];
    }

    private <T> T pick(List<T> options) {
        return options.get(random.nextInt(options.size()));
    }
}
