package dev.ims.model.log;

/**
 * Makes a value that came from outside (a username, a path, an address, a meter ID, a reason) safe to put
 * into a log line: CR, LF, TAB and every other control character (below U+0020, U+007F to U+009F, and the
 * line and paragraph separators U+2028/U+2029) become {@code \n}-style or {@code \\uXXXX} escapes, and a
 * backslash becomes {@code \\}, so nobody can forge a log line or hide one. Long values are cut at
 * {@value #MAX} characters. Use it at every log call that carries such a value.
 */
public final class LogSafe {

    /** Characters kept of one value; the rest is replaced by {@code …(n chars)}. */
    public static final int MAX = 300;

    private LogSafe() {}

    /** The escaped value; {@code null} stays the text {@code null}. */
    public static String of(Object value) {
        if (value == null) {
            return "null";
        }
        String s = value.toString();
        int cut = Math.min(s.length(), MAX);
        StringBuilder out = null;
        for (int i = 0; i < cut; i++) {
            char c = s.charAt(i);
            String rep = switch (c) {
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                case '\\' -> "\\\\";
                default -> c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
                        ? String.format("\\u%04x", (int) c) : null;
            };
            if (rep != null && out == null) {
                out = new StringBuilder(cut + 16).append(s, 0, i);
            }
            if (out != null) {
                if (rep != null) {
                    out.append(rep);
                } else {
                    out.append(c);
                }
            }
        }
        String result = out == null ? s.substring(0, cut) : out.toString();
        return s.length() > cut ? result + "…(" + s.length() + " chars)" : result;
    }
}
