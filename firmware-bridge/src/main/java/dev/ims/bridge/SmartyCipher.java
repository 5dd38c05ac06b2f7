package dev.ims.bridge;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The encrypted P1 of Luxembourg's Smarty meters (Luxembourg Smarty P1 specification 1.1.3, 3.2.5 "channel security";
 * DLMS security suite 0): each telegram is sent as one DLMS general-global-ciphering frame,
 *
 * <pre>
 *   DB | 08 | system title (8) | 82 | length (2, big-endian) | 30 | frame counter (4, big-endian) | ciphertext | GCM tag (12)
 * </pre>
 *
 * where {@code length} counts from the security control byte {@code 30} to the end of the tag (5 + ciphertext + 12).
 * The cipher is AES-128-GCM with the 16-byte key the grid operator gives the customer, the nonce is system title +
 * frame counter, and the additional authenticated data is the security control byte followed by the authentication
 * key, which is fixed on these meters ({@code 00112233445566778899AABBCCDDEEFF}). The plaintext is an ordinary DSMR
 * telegram for {@link P1Telegram}.
 *
 * <p>Immutable and thread-safe (a {@link Cipher} per frame). The key never appears in {@link #toString()}.
 */
public final class SmartyCipher {

    static final int TAG = 0xDB;
    static final int SYSTEM_TITLE_LENGTH = 8;
    /** Length in long form, two bytes follow. */
    static final int LONG_LENGTH = 0x82;
    /** Encrypted and authenticated, security suite 0. */
    static final int SECURITY_CONTROL = 0x30;
    /** Tag, title length, title, 0x82, length (2), security control, frame counter (4). */
    static final int HEADER_BYTES = 18;
    /** Where the length field's count starts: the security control byte. */
    static final int LENGTH_FROM = 13;
    static final int GCM_TAG_BYTES = 12;
    static final byte[] AUTHENTICATION_KEY = HexFormat.of().parseHex("00112233445566778899AABBCCDDEEFF");

    private final SecretKeySpec key;
    private final byte[] authenticationKey;

    /** @param authenticationKey {@link #AUTHENTICATION_KEY} on Smarty meters; another only for DLMS test vectors */
    SmartyCipher(byte[] key, byte[] authenticationKey) {
        this.key = new SecretKeySpec(key, "AES");
        this.authenticationKey = authenticationKey.clone();
    }

    /**
     * @param hex the 16-byte key as 32 hex digits (spaces and a {@code 0x} prefix are tolerated)
     * @throws IllegalArgumentException when it is not 32 hex digits; the message never repeats the key
     */
    public static SmartyCipher ofHex(String hex) {
        String h = hex == null ? "" : hex.strip().replace(" ", "");
        if (h.startsWith("0x") || h.startsWith("0X")) {
            h = h.substring(2);
        }
        if (!h.matches("[0-9A-Fa-f]{32}")) {
            throw new IllegalArgumentException("a Smarty P1 key is 32 hex digits (16 bytes), as the grid operator gives it; this one has "
                    + h.length() + " characters" + (h.matches("[0-9A-Fa-f]*") ? "" : " and not only hex digits"));
        }
        return new SmartyCipher(HexFormat.of().parseHex(h), AUTHENTICATION_KEY);
    }

    /** The whole frame's length, from its first 13 bytes; -1 when the header is not a general-global-ciphering one. */
    static int frameLength(byte[] header) {
        if ((header[0] & 0xFF) != TAG || header[1] != SYSTEM_TITLE_LENGTH || (header[10] & 0xFF) != LONG_LENGTH) {
            return -1;
        }
        int length = ((header[11] & 0xFF) << 8) | (header[12] & 0xFF);
        return length < 5 + GCM_TAG_BYTES ? -1 : LENGTH_FROM + length;
    }

    /**
     * Checks and decrypts one frame.
     *
     * @param frame from the tag {@code DB} to the end of the GCM tag
     * @return the telegram inside (ISO-8859-1, as DSMR text is read)
     * @throws P1Rejection.RejectedException {@link P1Rejection#FRAME} when the frame's layout is wrong,
     *     {@link P1Rejection#DECRYPT} when its tag does not check (a wrong key, damaged bytes)
     */
    public String decrypt(byte[] frame) {
        if (frame.length < HEADER_BYTES + GCM_TAG_BYTES || frameLength(frame) != frame.length) {
            throw new P1Rejection.RejectedException(P1Rejection.FRAME, "not a DLMS general-global-ciphering frame (tag DB, title length 8, "
                    + "length 82 xx xx matching the frame)");
        }
        if ((frame[LENGTH_FROM] & 0xFF) != SECURITY_CONTROL) {
            throw new P1Rejection.RejectedException(P1Rejection.FRAME,
                    String.format("security control byte %02X, expected 30 (encrypted and authenticated)", frame[LENGTH_FROM] & 0xFF));
        }
        byte[] nonce = new byte[12];
        System.arraycopy(frame, 2, nonce, 0, SYSTEM_TITLE_LENGTH);
        System.arraycopy(frame, 14, nonce, SYSTEM_TITLE_LENGTH, 4);
        byte[] aad = new byte[1 + authenticationKey.length];
        aad[0] = (byte) SECURITY_CONTROL;
        System.arraycopy(authenticationKey, 0, aad, 1, authenticationKey.length);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(GCM_TAG_BYTES * 8, nonce));
            c.updateAAD(aad);
            // The JDK takes the tag at the end of the ciphertext, which is where the frame has it.
            byte[] plain = c.doFinal(frame, HEADER_BYTES, frame.length - HEADER_BYTES);
            return new String(plain, StandardCharsets.ISO_8859_1);
        } catch (AEADBadTagException e) {
            throw new P1Rejection.RejectedException(P1Rejection.DECRYPT,
                    "GCM tag does not check: a wrong --p1-key, or a frame damaged on the line (frame counter "
                            + HexFormat.of().formatHex(Arrays.copyOfRange(frame, 14, 18)) + ")");
        } catch (GeneralSecurityException e) {
            throw new P1Rejection.RejectedException(P1Rejection.DECRYPT, "AES-GCM failed: " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "SmartyCipher[key=<hidden>]";
    }
}
