package dev.ims.embedded.broker;

import dev.ims.model.config.BindAddress;
import dev.ims.model.config.ConfigException;
import dev.ims.model.config.PrivateFiles;
import dev.ims.model.security.Pem;
import dev.ims.model.security.Secrets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded broker's TLS material, in one folder ({@link Settings#dir()}; the launcher's is
 * {@code IMS_DATA_DIR/tls}, 0700):
 * <ul>
 *   <li>{@value #CA_FILE}: the CA certificate, what meters and services trust ({@code MQTT_CA_FILE}). Generated at the
 *       first start (EC P-256, {@value #CA_YEARS} years) and never replaced; or the operator's own CA file.
 *   <li>{@value #CA_KEY_FILE}: the generated CA's private key (PKCS#8 PEM); signs the broker's certificate and meters'
 *       client certificates ({@link #issueClientCertificate}).
 *   <li>{@value #SERVER_FILE} and {@value #SERVER_KEY_FILE}: the broker's certificate (with the CA after it) and key,
 *       signed by the CA, with the host names and addresses clients use ({@link #serverNames}). Reused; issued again
 *       when the names changed or it expires within {@link #RENEW_BEFORE}. Or the operator's own chain and key.
 *   <li>{@value #KEYSTORE_FILE} and {@value #TRUSTSTORE_FILE}: the same as PKCS#12 for HiveMQ, written at every start
 *       with a new random password (which goes into HiveMQ's config.xml, 0600, and is never logged).
 * </ul>
 * Every file is 0600 ({@link PrivateFiles}), the CA certificate too (the folder is the account's only); give meters a copy.
 * Not thread-safe while {@link #open} runs; afterwards immutable, and {@link #issueClientCertificate} may be called from any thread.
 */
public final class BrokerTls {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerTls.class);

    public static final String CA_FILE = "ca.pem";
    public static final String CA_KEY_FILE = "ca-key.pem";
    public static final String SERVER_FILE = "server.pem";
    public static final String SERVER_KEY_FILE = "server-key.pem";
    public static final String KEYSTORE_FILE = "broker-keystore.p12";
    public static final String TRUSTSTORE_FILE = "broker-truststore.p12";
    static final int CA_YEARS = 10;
    /** The broker's generated certificate is valid this long. */
    public static final Duration SERVER_VALIDITY = Duration.ofDays(825);
    /** A generated server certificate expiring sooner than this is issued again at start. */
    public static final Duration RENEW_BEFORE = Duration.ofDays(30);
    private static final String SIGNATURE = "SHA256withECDSA";
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * Where the broker's TLS material lives, and whose it is.
     *
     * @param dir the folder of the files above; created 0700
     * @param extraNames host names and IP addresses the generated server certificate names besides the defaults
     *     ({@link #serverNames}): the names meters elsewhere use to reach the broker. Ignored with {@code own}
     * @param own the operator's own certificate instead of generated ones; empty: generated
     */
    public record Settings(Path dir, List<String> extraNames, Optional<OwnCertificate> own) {

        public Settings {
            Objects.requireNonNull(dir, "dir");
            extraNames = List.copyOf(extraNames);
            Objects.requireNonNull(own, "own");
        }

        /** A CA and server certificate generated under {@code dir} at the first start. */
        public static Settings generated(Path dir, String... extraNames) {
            return new Settings(dir, List.of(extraNames), Optional.empty());
        }

        /** The operator's own certificate; {@code dir} holds only the PKCS#12 files written from it. */
        public static Settings own(Path dir, OwnCertificate own) {
            return new Settings(dir, List.of(), Optional.of(own));
        }
    }

    /**
     * The operator's own TLS material, all PEM.
     *
     * @param certificateChain the broker's certificate, then its intermediates
     * @param privateKey the broker's key, unencrypted PKCS#8
     * @param ca the CA(s) whose client certificates the broker accepts as identities, and what clients trust
     * @param caKey the CA's PKCS#8 key, only to issue client certificates here ({@link #issueClientCertificate}); may be empty
     */
    public record OwnCertificate(Path certificateChain, Path privateKey, Path ca, Optional<Path> caKey) {
        public OwnCertificate {
            Objects.requireNonNull(certificateChain, "certificateChain");
            Objects.requireNonNull(privateKey, "privateKey");
            Objects.requireNonNull(ca, "ca");
            Objects.requireNonNull(caKey, "caKey");
        }
    }

    /**
     * A client certificate and its key, both PEM, as a meter gets them ({@code MQTT_CERT_FILE}, {@code MQTT_KEY_FILE}).
     * The key is a secret: write it 0600, never log it ({@link #toString()} hides it).
     */
    public record IssuedCertificate(X509Certificate certificate, String certificatePem, String privateKeyPem) {
        @Override
        public String toString() {
            return "IssuedCertificate[subject=" + certificate.getSubjectX500Principal().getName() + ", privateKeyPem=<hidden>]";
        }
    }

    private final Path dir;
    private final X509Certificate ca;
    private final List<X509Certificate> trusted;
    private final Optional<PrivateKey> caKey;
    private final List<X509Certificate> serverChain;
    private final String keyStorePassword;
    private final String trustStorePassword;

    private BrokerTls(Path dir, List<X509Certificate> trusted, Optional<PrivateKey> caKey, List<X509Certificate> serverChain,
            String keyStorePassword, String trustStorePassword) {
        this.dir = dir;
        this.ca = trusted.get(0);
        this.trusted = List.copyOf(trusted);
        this.caKey = caKey;
        this.serverChain = List.copyOf(serverChain);
        this.keyStorePassword = keyStorePassword;
        this.trustStorePassword = trustStorePassword;
    }

    /**
     * Loads or creates the TLS material for a broker listening on {@code bind}, and writes the PKCS#12 files HiveMQ reads.
     *
     * @throws ConfigException when the operator's files are unreadable or do not fit (the key is not the certificate's)
     * @throws UncheckedIOException when the folder cannot be written
     */
    public static BrokerTls open(Settings settings, BindAddress bind) {
        return open(settings, bind, Clock.systemUTC());
    }

    static BrokerTls open(Settings settings, BindAddress bind, Clock clock) {
        Path dir = settings.dir().toAbsolutePath();
        try {
            PrivateFiles.createDirectories(dir);
            List<X509Certificate> trusted;
            Optional<PrivateKey> caKey;
            List<X509Certificate> chain;
            PrivateKey serverKey;
            if (settings.own().isPresent()) {
                OwnCertificate own = settings.own().get();
                trusted = Pem.readCertificates(own.ca(), "CA file");
                caKey = own.caKey().map(p -> Pem.readPrivateKey(p, "CA key file"));
                chain = Pem.readCertificates(own.certificateChain(), "broker certificate file");
                serverKey = Pem.readPrivateKey(own.privateKey(), "broker key file");
                if (!matches(chain.get(0).getPublicKey(), serverKey)) {
                    throw new ConfigException("broker key file " + own.privateKey() + " is not the key of " + own.certificateChain());
                }
                LOG.info("Broker TLS: the operator's certificate '{}' (CA {})", chain.get(0).getSubjectX500Principal().getName(), own.ca());
            } else {
                KeyPair caPair = loadOrCreateCa(dir, clock);
                trusted = Pem.readCertificates(dir.resolve(CA_FILE), "CA file");
                caKey = Optional.of(caPair.getPrivate());
                Set<String> names = serverNames(bind, settings.extraNames());
                chain = loadOrIssueServer(dir, trusted.get(0), caPair.getPrivate(), names, clock);
                serverKey = Pem.readPrivateKey(dir.resolve(SERVER_KEY_FILE), "broker key file");
            }
            String keyStorePassword = Secrets.newSecret();
            String trustStorePassword = Secrets.newSecret();
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry("broker", serverKey, keyStorePassword.toCharArray(), chain.toArray(X509Certificate[]::new));
            writeStore(dir.resolve(KEYSTORE_FILE), keyStore, keyStorePassword);
            KeyStore trustStore = KeyStore.getInstance("PKCS12");
            trustStore.load(null, null);
            for (int i = 0; i < trusted.size(); i++) {
                trustStore.setCertificateEntry("ca-" + i, trusted.get(i));
            }
            writeStore(dir.resolve(TRUSTSTORE_FILE), trustStore, trustStorePassword);
            return new BrokerTls(dir, trusted, caKey, chain, keyStorePassword, trustStorePassword);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the broker's TLS files in " + dir, e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create the broker's TLS material: " + e, e);
        }
    }

    /**
     * The names a generated server certificate carries: {@code localhost}, {@code 127.0.0.1}, {@code ::1}, the bind
     * address unless it is the wildcard, this host's name, then {@code extra}. Sorted, so a restart compares equal.
     */
    static Set<String> serverNames(BindAddress bind, Collection<String> extra) {
        Set<String> names = new TreeSet<>(List.of("localhost", "127.0.0.1", normalIp("::1")));
        if (!bind.isWildcard()) {
            names.add(normalIp(bind.host()));
        }
        try {
            names.add(InetAddress.getLocalHost().getHostName());
        } catch (IOException e) {
            LOG.debug("This host's name is unknown ({}); the broker's certificate names only its addresses", e.toString());
        }
        for (String n : extra) {
            if (!n.isBlank()) {
                names.add(isIp(n.trim()) ? normalIp(n.trim()) : n.trim());
            }
        }
        return names;
    }

    /** The CA certificate file clients trust ({@code MQTT_CA_FILE}). */
    public Path caFile() {
        return dir.resolve(CA_FILE);
    }

    /** The first CA certificate: the one that signs the generated server certificate and client certificates. */
    public X509Certificate ca() {
        return ca;
    }

    /** The broker's certificate chain, leaf first. */
    public List<X509Certificate> serverChain() {
        return serverChain;
    }

    public Path dir() {
        return dir;
    }

    Path keyStore() {
        return dir.resolve(KEYSTORE_FILE);
    }

    String keyStorePassword() {
        return keyStorePassword;
    }

    Path trustStore() {
        return dir.resolve(TRUSTSTORE_FILE);
    }

    String trustStorePassword() {
        return trustStorePassword;
    }

    /** The CA certificates client certificates may chain to. */
    public List<X509Certificate> trusted() {
        return trusted;
    }

    /**
     * A client certificate for identity {@code name} (subject {@code CN=name}, extended key usage clientAuth), with a
     * new EC P-256 key, signed by this CA, valid from a minute ago for {@code validity}.
     *
     * @throws IllegalStateException when this CA's key is not here (the operator's own CA without {@code caKey})
     */
    public IssuedCertificate issueClientCertificate(String name, Duration validity) {
        PrivateKey key = caKey.orElseThrow(() -> new IllegalStateException(
                "the CA's private key is not available here: issue client certificates with the operator's own CA"));
        return issueClient(ca, key, name, validity);
    }

    /**
     * A client certificate as {@link #issueClientCertificate}, signed by the generated CA in {@code dir} ({@value #CA_FILE}
     * and {@value #CA_KEY_FILE}), without opening the broker's material (e.g. while the broker runs).
     *
     * @throws ConfigException when the folder has no generated CA (the broker with TLS never started there)
     */
    public static IssuedCertificate issueWithCaIn(Path dir, String name, Duration validity) {
        Path caFile = dir.resolve(CA_FILE);
        Path caKeyFile = dir.resolve(CA_KEY_FILE);
        if (!Files.exists(caFile) || !Files.exists(caKeyFile)) {
            throw new ConfigException("no CA in " + dir + " (" + CA_FILE + " and " + CA_KEY_FILE + "): start the local stack (./ims)"
                    + " once to generate it");
        }
        X509Certificate ca = Pem.readCertificates(caFile, "CA file").get(0);
        PrivateKey key = Pem.readPrivateKey(caKeyFile, "CA key file");
        if (!matches(ca.getPublicKey(), key)) {
            throw new ConfigException("CA key file " + caKeyFile + " is not the key of " + caFile);
        }
        return issueClient(ca, key, name, validity);
    }

    private static IssuedCertificate issueClient(X509Certificate ca, PrivateKey key, String name, Duration validity) {
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity must be positive, got " + validity);
        }
        try {
            KeyPair pair = newKeyPair();
            Instant now = Instant.now();
            X509Certificate cert = sign(ca, key, cn(name), pair.getPublic(), now.minus(Duration.ofMinutes(1)), now.plus(validity),
                    false, KeyPurposeId.id_kp_clientAuth, List.of());
            return new IssuedCertificate(cert, Pem.certificate(cert) + Pem.certificate(ca), Pem.privateKey(pair.getPrivate()));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot issue a client certificate: " + e, e);
        }
    }

    /**
     * A server certificate for other host names, signed by this CA (e.g. for a broker elsewhere, or a test's).
     *
     * @throws IllegalStateException when this CA's key is not here
     */
    public IssuedCertificate issueServerCertificate(Collection<String> names, Duration validity) {
        PrivateKey key = caKey.orElseThrow(() -> new IllegalStateException("the CA's private key is not available here"));
        try {
            KeyPair pair = newKeyPair();
            Instant now = Instant.now();
            X509Certificate cert = sign(ca, key, cn(names.iterator().next()), pair.getPublic(), now.minus(Duration.ofMinutes(1)),
                    now.plus(validity), false, KeyPurposeId.id_kp_serverAuth, List.copyOf(names));
            return new IssuedCertificate(cert, Pem.certificate(cert) + Pem.certificate(ca), Pem.privateKey(pair.getPrivate()));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot issue a server certificate: " + e, e);
        }
    }

    /** The CA's key pair from {@code dir}, generated with its certificate the first time. The CA is never replaced. */
    private static KeyPair loadOrCreateCa(Path dir, Clock clock) throws IOException, GeneralSecurityException, OperatorCreationException {
        Path caFile = dir.resolve(CA_FILE);
        Path caKeyFile = dir.resolve(CA_KEY_FILE);
        if (Files.exists(caFile) && Files.exists(caKeyFile)) {
            PrivateKey key = Pem.readPrivateKey(caKeyFile, "CA key file");
            X509Certificate cert = Pem.readCertificates(caFile, "CA file").get(0);
            if (!matches(cert.getPublicKey(), key)) {
                throw new ConfigException("CA key file " + caKeyFile + " is not the key of " + caFile);
            }
            PrivateFiles.restrict(caKeyFile);
            return new KeyPair(cert.getPublicKey(), key);
        }
        if (Files.exists(caFile) || Files.exists(caKeyFile)) {
            throw new ConfigException("only one of " + caFile + " and " + caKeyFile + " exists: restore the other (meters trust this CA)"
                    + " or remove both to generate a new CA");
        }
        KeyPair pair = newKeyPair();
        Instant now = clock.instant();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "IMS local stack")
                .addRDN(BCStyle.CN, "IMS broker CA " + now.getEpochSecond()).build();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(now.minus(Duration.ofMinutes(1))),
                Date.from(now.plus(Duration.ofDays(365L * CA_YEARS))), subject, pair.getPublic());
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(pair.getPublic()));
        X509Certificate cert = new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder(SIGNATURE).build(pair.getPrivate())));
        // The key first: a CA certificate without its key would be a CA nobody can renew the server's certificate with.
        PrivateFiles.writeString(caKeyFile, Pem.privateKey(pair.getPrivate()));
        PrivateFiles.writeString(caFile, Pem.certificate(cert));
        LOG.info("Broker TLS: generated a new CA in {} (meters trust it with MQTT_CA_FILE={})", dir, caFile);
        return pair;
    }

    private static List<X509Certificate> loadOrIssueServer(Path dir, X509Certificate ca, PrivateKey caKey, Set<String> names, Clock clock)
            throws IOException, GeneralSecurityException, OperatorCreationException {
        Path certFile = dir.resolve(SERVER_FILE);
        Path keyFile = dir.resolve(SERVER_KEY_FILE);
        Instant now = clock.instant();
        if (Files.exists(certFile) && Files.exists(keyFile)) {
            List<X509Certificate> chain = Pem.readCertificates(certFile, "broker certificate file");
            X509Certificate leaf = chain.get(0);
            boolean sameNames = namesOf(leaf).equals(names);
            boolean fresh = leaf.getNotAfter().toInstant().isAfter(now.plus(RENEW_BEFORE));
            boolean ourCa = leaf.getIssuerX500Principal().equals(ca.getSubjectX500Principal()) && verifies(leaf, ca);
            if (sameNames && fresh && ourCa && matches(leaf.getPublicKey(), Pem.readPrivateKey(keyFile, "broker key file"))) {
                PrivateFiles.restrict(keyFile);
                return chain;
            }
            LOG.info("Broker TLS: issuing the broker's certificate again ({})",
                    !sameNames ? "its names changed to " + names : !fresh ? "it expires within " + RENEW_BEFORE.toDays() + " days"
                            : "it is not this CA's or not this key's");
        }
        KeyPair pair = newKeyPair();
        X509Certificate cert = sign(ca, caKey, cn("IMS broker"), pair.getPublic(), now.minus(Duration.ofMinutes(1)),
                now.plus(SERVER_VALIDITY), false, KeyPurposeId.id_kp_serverAuth, List.copyOf(names));
        PrivateFiles.writeString(keyFile, Pem.privateKey(pair.getPrivate()));
        PrivateFiles.writeString(certFile, Pem.certificate(cert) + Pem.certificate(ca));
        LOG.info("Broker TLS: the broker's certificate names {}", names);
        return List.of(cert, ca);
    }

    private static X509Certificate sign(X509Certificate issuer, PrivateKey issuerKey, X500Name subject, PublicKey publicKey, Instant from,
            Instant until, boolean isCa, KeyPurposeId purpose, List<String> names)
            throws IOException, GeneralSecurityException, OperatorCreationException {
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial(), Date.from(from), Date.from(until), subject, publicKey);
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
        b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(publicKey));
        b.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(issuer));
        if (!names.isEmpty()) {
            List<GeneralName> general = new ArrayList<>();
            for (String n : names) {
                general.add(isIp(n) ? new GeneralName(GeneralName.iPAddress, n) : new GeneralName(GeneralName.dNSName, n));
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(general.toArray(GeneralName[]::new)));
        }
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(SIGNATURE).build(issuerKey)));
    }

    /** The DNS names and IP addresses of {@code cert}'s subject alternative names, IPs normalised. */
    static Set<String> namesOf(X509Certificate cert) throws GeneralSecurityException {
        Set<String> names = new TreeSet<>();
        Collection<List<?>> sans = cert.getSubjectAlternativeNames();
        if (sans != null) {
            for (List<?> san : sans) {
                int type = (Integer) san.get(0);
                if (type == GeneralName.dNSName) {
                    names.add((String) san.get(1));
                } else if (type == GeneralName.iPAddress) {
                    names.add(normalIp((String) san.get(1)));
                }
            }
        }
        return names;
    }

    private static boolean verifies(X509Certificate cert, X509Certificate issuer) {
        try {
            cert.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Whether {@code key} is the private half of {@code publicKey}: signs a challenge and verifies it. */
    private static boolean matches(PublicKey publicKey, PrivateKey key) {
        try {
            String algorithm = switch (publicKey.getAlgorithm()) {
                case "EC" -> "SHA256withECDSA";
                case "RSA" -> "SHA256withRSA";
                default -> publicKey.getAlgorithm();
            };
            byte[] challenge = new byte[32];
            RANDOM.nextBytes(challenge);
            java.security.Signature s = java.security.Signature.getInstance(algorithm);
            s.initSign(key);
            s.update(challenge);
            byte[] signature = s.sign();
            s.initVerify(publicKey);
            s.update(challenge);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    private static X500Name cn(String name) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, name).build();
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    private static void writeStore(Path file, KeyStore store, String password) throws IOException, GeneralSecurityException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        store.store(bytes, password.toCharArray());
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp", PrivateFiles.fileAttributes(file.getParent()));
        try {
            Files.write(tmp, bytes.toByteArray());
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static boolean isIp(String s) {
        return s.contains(":") || s.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    /** An IP literal in the JDK's canonical form ({@code ::1} becomes {@code 0:0:0:0:0:0:0:1}); other names as they are. */
    private static String normalIp(String s) {
        if (!isIp(s)) {
            return s;
        }
        try {
            return InetAddress.getByName(s).getHostAddress();
        } catch (IOException e) {
            return s;
        }
    }
}
