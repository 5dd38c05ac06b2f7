package dev.ims.model.security;

import dev.ims.model.config.ConfigException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM files with the JDK alone: X.509 certificates ({@code CERTIFICATE}) and unencrypted PKCS#8 private keys
 * ({@code PRIVATE KEY}; RSA, EC or Ed25519), as {@code MQTT_CA_FILE}, {@code MQTT_CERT_FILE} and
 * {@code MQTT_KEY_FILE} hold them (OpenSSL 1.1+ writes PKCS#8 by default; convert a {@code BEGIN RSA PRIVATE KEY} or
 * {@code BEGIN EC PRIVATE KEY} file with {@code openssl pkcs8 -topk8 -nocrypt}). Pure and thread-safe.
 *
 * <p>Reading fails with a {@link ConfigException} naming the file and what is wrong with it, never with the key's
 * bytes.
 */
public final class Pem {

    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    private static final Base64.Encoder ENCODER = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));

    private Pem() {}

    /**
     * The certificates in {@code file}, in file order (a chain: the leaf first).
     *
     * @throws ConfigException when the file is unreadable, holds no certificate or a malformed one
     */
    public static List<X509Certificate> readCertificates(Path file, String what) {
        List<byte[]> blocks = blocks(read(file, what), "CERTIFICATE");
        if (blocks.isEmpty()) {
            throw new ConfigException(what + " " + file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            List<X509Certificate> certificates = new ArrayList<>();
            for (byte[] der : blocks) {
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            }
            return certificates;
        } catch (CertificateException e) {
            throw new ConfigException(what + " " + file + " holds a malformed certificate: " + e.getMessage());
        }
    }

    /**
     * The unencrypted PKCS#8 private key in {@code file}: RSA, EC or Ed25519.
     *
     * @throws ConfigException when the file is unreadable or holds no such key (the message never contains key material)
     */
    public static PrivateKey readPrivateKey(Path file, String what) {
        String text = read(file, what);
        List<byte[]> blocks = blocks(text, "PRIVATE KEY");
        if (blocks.isEmpty()) {
            String hint = text.contains("RSA PRIVATE KEY") || text.contains("EC PRIVATE KEY") || text.contains("ENCRYPTED PRIVATE KEY")
                    ? " (it is in another format: convert it with 'openssl pkcs8 -topk8 -nocrypt -in " + file + "')" : "";
            throw new ConfigException(what + " " + file + " holds no unencrypted PKCS#8 key (-----BEGIN PRIVATE KEY-----)" + hint);
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(blocks.get(0));
        for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException notThisOne) {
                // try the next algorithm
            }
        }
        throw new ConfigException(what + " " + file + " holds a private key that is neither RSA, EC nor Ed25519, or is malformed");
    }

    /** {@code certificate} as a PEM block. */
    public static String certificate(X509Certificate certificate) {
        try {
            return block("CERTIFICATE", certificate.getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode a certificate: " + e.getMessage(), e);
        }
    }

    /** {@code key} as an unencrypted PKCS#8 PEM block: a secret, to be written 0600 only. */
    public static String privateKey(PrivateKey key) {
        if (!"PKCS#8".equals(key.getFormat())) {
            throw new IllegalArgumentException("not a PKCS#8 key: " + key.getFormat());
        }
        return block("PRIVATE KEY", key.getEncoded());
    }

    private static String block(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + ENCODER.encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static String read(Path file, String what) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new ConfigException(what + " " + file + " is unreadable: " + e);
        }
    }

    private static List<byte[]> blocks(String text, String type) {
        List<byte[]> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(type)) {
                blocks.add(Base64.getMimeDecoder().decode(m.group(2)));
            }
        }
        return blocks;
    }
}
