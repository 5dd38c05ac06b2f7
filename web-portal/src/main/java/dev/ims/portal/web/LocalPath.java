package dev.ims.portal.web;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;

/**
 * Whether a client-supplied target (the {@code next} after log-in) is a path on this site, safe to send in a
 * {@code Location} header. Browsers repair what they are given: they drop TAB and newlines inside URLs, read
 * {@code \} as {@code /}, and take {@code //host} as another site, so {@code /<TAB>/evil.example} leaves the
 * site. Accepted is only what no such repair can turn into another origin: printable ASCII without
 * backslashes or spaces (the portal itself always percent-encodes what it puts there), parsing as a
 * {@link URI} without scheme or authority, starting with exactly one {@code /}; and the same holds after
 * percent-decoding (repeatedly), where no control character, backslash or leading {@code //} may appear.
 */
public final class LocalPath {

    /** Longer targets are refused: nothing the portal links to is longer. */
    public static final int MAX_LENGTH = 1000;

    private LocalPath() {}

    public static boolean isSafe(String target) {
        if (target == null || target.isEmpty() || target.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '\\') {
                return false;
            }
        }
        URI uri;
        try {
            uri = new URI(target);
        } catch (URISyntaxException e) {
            return false;
        }
        if (uri.getScheme() != null || uri.getRawAuthority() != null || uri.getHost() != null || uri.isOpaque()) {
            return false;
        }
        String path = uri.getRawPath();
        if (path == null || !path.startsWith("/") || path.startsWith("//") || !target.startsWith("/") || target.startsWith("//")) {
            return false;
        }
        // Percent-decoded (up to a few layers, as proxies and browsers may each decode once) it must still be local.
        String decoded = target;
        for (int layer = 0; layer < 4 && decoded.indexOf('%') >= 0; layer++) {
            decoded = percentDecode(decoded);
            if (decoded == null || decoded.startsWith("//")) {
                return false;
            }
            for (int i = 0; i < decoded.length(); i++) {
                char c = decoded.charAt(i);
                if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\\' || c == '\u2028' || c == '\u2029' || c == '\uFFFD') {
                    return false;
                }
            }
        }
        return true;
    }

    /** {@code %XX} decoded as UTF-8 ({@code +} stays); null when an escape is malformed. */
    private static String percentDecode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return null;
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
