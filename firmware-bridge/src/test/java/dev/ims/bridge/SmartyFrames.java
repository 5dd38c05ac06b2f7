package dev.ims.bridge;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts a telegram as a Smarty meter sends it, with the JDK's AES-GCM and nothing of {@link SmartyCipher}: a
 * general-global-ciphering frame {@code DB 08 title 82 len 30 counter ciphertext tag(12)}.
 */
final class SmartyFrames {

    /** A key as a grid operator hands it out (made up). */
    static final String KEY = "AEBD21B769A6D13C0DF064E383682EFF";
    static final byte[] SYSTEM_TITLE = "SAGgp\u0000\u0012\u0034".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    /** The fixed authentication key of Smarty meters, written out here on its own. */
    static final byte[] SMARTY_AK = HexFormat.of().parseHex("00112233445566778899AABBCCDDEEFF");

    private SmartyFrames() {}

    static byte[] encrypt(String keyHex, int frameCounter, byte[] telegram) {
        try {
            byte[] iv = ByteBuffer.allocate(12).put(SYSTEM_TITLE).putInt(frameCounter).array();
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(HexFormat.of().parseHex(keyHex), "AES"), new GCMParameterSpec(96, iv));
            c.updateAAD(ByteBuffer.allocate(17).put((byte) 0x30).put(SMARTY_AK).array());
            byte[] sealed = c.doFinal(telegram); // ciphertext + 12-byte tag
            return ByteBuffer.allocate(18 + sealed.length)
                    .put((byte) 0xDB).put((byte) 8).put(SYSTEM_TITLE)
                    .put((byte) 0x82).putShort((short) (5 + sealed.length))
                    .put((byte) 0x30).putInt(frameCounter)
                    .put(sealed)
                    .array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
