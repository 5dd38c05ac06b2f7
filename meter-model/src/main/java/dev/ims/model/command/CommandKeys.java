package dev.ims.model.command;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Ed25519 keys for relay commands (JDK only, since Java 15): generation, key IDs, encodings and the
 * default file locations under {@code IMS_DATA_DIR}.
 */
public final class CommandKeys {

    public static final String ALGORITHM = "Ed25519";

    /** The portal's signing key, relative to {@code IMS_DATA_DIR} ({@code COMMAND_SIGNING_KEY_FILE} overrides it). */
    public static final String DEFAULT_SIGNING_KEY_FILE = "keys/command-signing-key.json";

    /** The public keys meters trust, relative to {@code IMS_DATA_DIR} (a meter's {@code --command-keys} overrides it). */
    public static final String DEFAULT_KEY_SET_FILE = "keys/command-keys.json";

    /** The key set's file name: the portal writes it next to its signing key. */
    public static final String KEY_SET_FILE_NAME = "command-keys.json";

    /** Hex digits of a key ID: 64 bits of the SHA-256, plenty to tell a handful of keys apart. */
    static final int KEY_ID_HEX_DIGITS = 16;

    private CommandKeys() {}

    public static Path defaultSigningKeyFile(Path dataDir) {
        return dataDir.resolve(DEFAULT_SIGNING_KEY_FILE);
    }

    public static Path defaultKeySetFile(Path dataDir) {
        return dataDir.resolve(DEFAULT_KEY_SET_FILE);
    }

    /** A new Ed25519 key pair. */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no " + ALGORITHM + " (Java 15 or later has)", e);
        }
    }

    /**
     * A key's ID (contract): the first {@value #KEY_ID_HEX_DIGITS} lowercase hex digits of the SHA-256 of the
     * public key's X.509 (SubjectPublicKeyInfo) encoding. Anyone holding the public key can compute it.
     */
    public static String keyId(PublicKey publicKey) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(publicKey.getEncoded());
            return HexFormat.of().formatHex(hash).substring(0, KEY_ID_HEX_DIGITS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }

    /** The public key's X.509 encoding in standard base64 (with padding), as key-set files hold it. */
    public static String encodePublic(PublicKey publicKey) {
        return Base64.getEncoder().encodeToString(publicKey.getEncoded());
    }

    /** @throws IllegalArgumentException when {@code base64} is not an Ed25519 public key in X.509 encoding */
    public static PublicKey decodePublic(String base64) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64.strip())));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not an " + ALGORITHM + " public key in base64 X.509 encoding");
        }
    }

    static String encodePrivate(PrivateKey privateKey) {
        return Base64.getEncoder().encodeToString(privateKey.getEncoded());
    }

    /** @throws IllegalArgumentException when {@code base64} is not an Ed25519 private key in PKCS#8 encoding */
    static PrivateKey decodePrivate(String base64) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64.strip())));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            // Never the key's text in a message.
            throw new IllegalArgumentException("not an " + ALGORITHM + " private key in base64 PKCS#8 encoding");
        }
    }
}
