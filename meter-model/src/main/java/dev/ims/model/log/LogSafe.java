package dev.ims.model.log;

/**
 * Makes a value that came from outside (a topic, a meter ID, a user name, a path) safe to log: control
 * characters, CR and LF above all, are written as escapes, so a client cannot start a forged log line;
 * values over {@value #MAX_CHARS} characters are cut. Pure; thread-safe.
 */
public final class LogSafe {

    public static final int MAX_CHARS = 300;

    private LogSafe() {}

    /** {@code value} with control characters escaped ({@code \n}, {@code \r}, {@code \t}, else {@code \\uXXXX}); "null" for null. */
    public static String of(Object value) {
        String s = String.valueOf(value);
        StringBuilder b = null;
        int n = Math.min(s.length(), MAX_CHARS);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            boolean control = c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029';
            if (control && b == null) {
                b = new StringBuilder(n + 16).append(s, 0, i);
            }
            if (b != null) {
                if (!control) {
                    b.append(c);
                } else if (c == '\n') {
                    b.append("\\n");
                } else if (c == '\r') {
                    b.append("\\r");
                } else if (c == '\t') {
                    b.append("\\t");
                } else {
                    b.append(String.format("\\u%04x", (int) c));
                }
            }
        }
        String out = b == null ? s.substring(0, n) : b.toString();
        return n < s.length() ? out + "…" : out;
    }
}
