package dev.ims.bridge;

/**
 * Cuts the bytes from a P1 port into telegrams: plain DSMR text from {@code /} to the line after {@code !}, or (with a
 * Smarty key) DLMS frames that are decrypted first. Bytes outside a frame (the rest of a telegram the port was opened
 * in the middle of, line noise) are skipped. Not thread-safe: one reader thread feeds it.
 */
abstract class P1Framer {

    /** Where frames go; called on the reader thread. */
    interface Sink {
        /** A complete telegram's text, from {@code /} to the end of its CRC line, not yet checked. */
        void telegram(String text);

        void rejected(P1Rejection reason, String detail);
    }

    final Sink sink;

    private P1Framer(Sink sink) {
        this.sink = sink;
    }

    static P1Framer text(Sink sink) {
        return new Text(sink);
    }

    static P1Framer smarty(SmartyCipher cipher, Sink sink) {
        return new Smarty(cipher, sink);
    }

    /** One byte from the port, 0 to 255. */
    abstract void feed(int b);

    /** Forgets a frame begun before the port was reopened: it cannot continue on the new line, and is no rejection. */
    abstract void reset();

    private static final class Text extends P1Framer {
        private final StringBuilder t = new StringBuilder();
        private boolean inside;
        private boolean afterBang;

        Text(Sink sink) {
            super(sink);
        }

        @Override
        void feed(int b) {
            char c = (char) b;
            if (c == '/') {
                if (inside) {
                    sink.rejected(P1Rejection.TRUNCATED, "telegram broken off after " + t.length() + " characters by the start of the next");
                }
                t.setLength(0);
                inside = true;
                afterBang = false;
            }
            if (!inside) {
                return;
            }
            t.append(c);
            if (c == '!' && !afterBang) {
                afterBang = true;
            } else if (afterBang && c == '\n') {
                inside = false;
                sink.telegram(t.toString());
            } else if (t.length() > P1Source.MAX_TELEGRAM) {
                inside = false;
                sink.rejected(P1Rejection.OVERSIZE, "no end ('!' and its line) within " + P1Source.MAX_TELEGRAM + " characters");
            }
        }

        @Override
        void reset() {
            inside = false;
            t.setLength(0);
        }
    }

    private static final class Smarty extends P1Framer {
        private static final int MAX_FRAME = SmartyCipher.HEADER_BYTES + P1Source.MAX_TELEGRAM + SmartyCipher.GCM_TAG_BYTES;
        private final SmartyCipher cipher;
        private final byte[] frame = new byte[MAX_FRAME];
        private int have;
        /** The frame's whole length once its header is read, else 0. */
        private int length;

        Smarty(SmartyCipher cipher, Sink sink) {
            super(sink);
            this.cipher = cipher;
        }

        @Override
        void feed(int b) {
            if (have == 0 && b != SmartyCipher.TAG) {
                return;
            }
            frame[have++] = (byte) b;
            if (have == SmartyCipher.LENGTH_FROM) {
                length = SmartyCipher.frameLength(frame);
                if (length < 0 || length > MAX_FRAME) {
                    sink.rejected(length < 0 ? P1Rejection.FRAME : P1Rejection.OVERSIZE, length < 0
                            ? "a byte DB not followed by a DLMS general-global-ciphering header (08, title, 82, length)"
                            : "an encrypted frame of " + length + " bytes, more than a telegram can be");
                    reset();
                }
            } else if (length > 0 && have == length) {
                byte[] whole = java.util.Arrays.copyOf(frame, length);
                reset();
                try {
                    sink.telegram(cipher.decrypt(whole));
                } catch (P1Rejection.RejectedException e) {
                    sink.rejected(e.reason(), e.getMessage());
                }
            }
        }

        @Override
        void reset() {
            have = 0;
            length = 0;
        }
    }
}
