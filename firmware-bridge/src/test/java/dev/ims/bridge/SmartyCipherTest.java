package dev.ims.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Smarty (Luxembourg) frames: decryption, and every way a frame can be wrong, each a rejection with its reason. */
class SmartyCipherTest {

    private final P1Corpus smarty = P1Corpus.load("smarty");

    @Test
    void aFrameEncryptedWithTheKey_decryptsToTheTelegram_whichParses() {
        String plain = SmartyCipher.ofHex(SmartyFrames.KEY).decrypt(SmartyFrames.encrypt(SmartyFrames.KEY, 0x0001_86A0, smarty.bytes()));
        assertThat(plain).isEqualTo(smarty.text());
        assertThat(P1Telegram.parse(plain).importKwh()).isEqualTo(smarty.value("importKwh"));
    }

    @Test
    void theNonceAndAdditionalData_areBuiltAsDlmsSpecifies_checkedAgainstAPublishedVector() {
        // A DLMS AES-GCM vector published with a public DLMS tool (ric-geek/dlms-encrypt-decrypt-cli, README): system
        // title 5249435249435249, frame counter 80000001, keys "ENCRYPTIONKEYKEY" / "AUTHENTICATIONKE", security
        // control 30, APDU c001810001000060010aff0200 -> 0de63f2331a09aa85e8830f5f3, tag 610d47e1e24b14e8a022aefc6a43f3a3.
        HexFormat h = HexFormat.of();
        byte[] frame = h.parseHex("DB08" + "5249435249435249" + "82" + "001E" + "30" + "80000001"
                + "0de63f2331a09aa85e8830f5f3" + "610d47e1e24b14e8a022aefc");
        SmartyCipher c = new SmartyCipher(h.parseHex("454E4352595054494F4E4B45594B4559"), h.parseHex("41555448454E5449434154494F4E4B45"));
        assertThat(h.formatHex(c.decrypt(frame).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1))).isEqualTo("c001810001000060010aff0200");
    }

    @Test
    void aWrongKey_orAnyChangedByte_isADecryptRejection_neverACrash() {
        byte[] frame = SmartyFrames.encrypt(SmartyFrames.KEY, 7, smarty.bytes());
        SmartyCipher wrong = SmartyCipher.ofHex("00000000000000000000000000000001");
        assertThat(catchThrowableOfType(P1Rejection.RejectedException.class, () -> wrong.decrypt(frame)).reason()).isEqualTo(P1Rejection.DECRYPT);
        SmartyCipher right = SmartyCipher.ofHex(SmartyFrames.KEY);
        for (int at : new int[] {5, 15, 40, frame.length - 1}) { // system title, frame counter, ciphertext, tag
            byte[] tampered = frame.clone();
            tampered[at] ^= 0x01;
            assertThat(catchThrowableOfType(P1Rejection.RejectedException.class, () -> right.decrypt(tampered)).reason()).as("byte " + at)
                    .isEqualTo(P1Rejection.DECRYPT);
        }
    }

    @Test
    void aFrameWithAWrongLayout_isAFrameRejection() {
        byte[] frame = SmartyFrames.encrypt(SmartyFrames.KEY, 7, smarty.bytes());
        SmartyCipher c = SmartyCipher.ofHex(SmartyFrames.KEY);
        byte[] securityControl = frame.clone();
        securityControl[13] = 0x20; // authenticated only
        assertThat(catchThrowableOfType(P1Rejection.RejectedException.class, () -> c.decrypt(securityControl)).reason()).isEqualTo(P1Rejection.FRAME);
        byte[] shortened = java.util.Arrays.copyOf(frame, frame.length - 1);
        assertThat(catchThrowableOfType(P1Rejection.RejectedException.class, () -> c.decrypt(shortened)).reason()).isEqualTo(P1Rejection.FRAME);
    }

    @Test
    void aKeyIs32HexDigits_andTheErrorNeverRepeatsIt() {
        assertThat(SmartyCipher.ofHex(" 0x" + SmartyFrames.KEY.toLowerCase() + "\n")).isNotNull();
        assertThatThrownBy(() -> SmartyCipher.ofHex("AEBD21B769A6D13C0DF064E383682EF")).hasMessageContaining("32 hex digits")
                .hasMessageNotContaining("AEBD21");
        assertThatThrownBy(() -> SmartyCipher.ofHex("ZZBD21B769A6D13C0DF064E383682EFF")).hasMessageContaining("not only hex digits")
                .hasMessageNotContaining("BD21B7");
        assertThat(SmartyCipher.ofHex(SmartyFrames.KEY).toString()).doesNotContain("AEBD").contains("<hidden>");
    }
}
