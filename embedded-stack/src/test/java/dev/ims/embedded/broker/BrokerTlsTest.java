package dev.ims.embedded.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ims.model.config.BindAddress;
import dev.ims.model.config.ConfigException;
import dev.ims.model.config.PrivateFiles;
import dev.ims.model.security.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerTlsTest {

    @TempDir
    Path dir;

    @Test
    void firstOpen_generatesCaAndServerCertificate_laterOpens_reuseBoth() throws Exception {
        BrokerTls first = BrokerTls.open(BrokerTls.Settings.generated(dir), BindAddress.LOOPBACK);
        String caPem = Files.readString(dir.resolve(BrokerTls.CA_FILE));
        String serverPem = Files.readString(dir.resolve(BrokerTls.SERVER_FILE));

        BrokerTls second = BrokerTls.open(BrokerTls.Settings.generated(dir), BindAddress.LOOPBACK);

        assertThat(second.ca()).isEqualTo(first.ca());
        assertThat(Files.readString(dir.resolve(BrokerTls.CA_FILE))).isEqualTo(caPem);
        assertThat(Files.readString(dir.resolve(BrokerTls.SERVER_FILE))).isEqualTo(serverPem);
        assertThat(second.serverChain().get(0)).isEqualTo(first.serverChain().get(0));
        assertThat(first.ca().getBasicConstraints()).isGreaterThanOrEqualTo(0);
        first.serverChain().get(0).verify(first.ca().getPublicKey());
    }

    @Test
    void serverCertificate_namesLoopback_thisHost_theBindAddress_andTheExtraNames() throws Exception {
        BrokerTls tls = BrokerTls.open(BrokerTls.Settings.generated(dir, "broker.example.org", "192.0.2.10"),
                BindAddress.parse("127.0.0.1"));

        Set<String> names = BrokerTls.namesOf(tls.serverChain().get(0));

        assertThat(names).contains("localhost", "127.0.0.1", "0:0:0:0:0:0:0:1", "broker.example.org", "192.0.2.10");
        assertThat(names).containsAll(BrokerTls.serverNames(BindAddress.LOOPBACK, List.of()));
        assertThat(tls.serverChain().get(0).getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1"); // serverAuth
    }

    @Test
    void changedNames_issueTheServerCertificateAgain_underTheSameCa() throws Exception {
        BrokerTls before = BrokerTls.open(BrokerTls.Settings.generated(dir), BindAddress.LOOPBACK);

        BrokerTls after = BrokerTls.open(BrokerTls.Settings.generated(dir, "meters.example.org"), BindAddress.LOOPBACK);

        assertThat(after.ca()).isEqualTo(before.ca());
        assertThat(after.serverChain().get(0)).isNotEqualTo(before.serverChain().get(0));
        assertThat(BrokerTls.namesOf(after.serverChain().get(0))).contains("meters.example.org");
    }

    @Test
    void serverCertificateExpiringWithin30Days_isIssuedAgain_theCaNever() throws Exception {
        BrokerTls before = BrokerTls.open(BrokerTls.Settings.generated(dir), BindAddress.LOOPBACK);
        Instant nearExpiry = before.serverChain().get(0).getNotAfter().toInstant().minus(Duration.ofDays(10));

        BrokerTls after = BrokerTls.open(BrokerTls.Settings.generated(dir), BindAddress.LOOPBACK, Clock.fixed(nearExpiry, ZoneOffset.UTC));

        assertThat(after.ca()).isEqualTo(before.ca());
        assertThat(after.serverChain().get(0)).isNotEqualTo(before.serverChain().get(0));
    }

    @Test
    void everyFile_isOwnerOnly_inAnOwnerOnlyFolder() throws Exception {
        BrokerTls.open(BrokerTls.Settings.generated(dir.resolve("tls")), BindAddress.LOOPBACK);

        assertThat(Files.getPosixFilePermissions(dir.resolve("tls"))).isEqualTo(PrivateFiles.FOLDER);
        for (String f : List.of(BrokerTls.CA_FILE, BrokerTls.CA_KEY_FILE, BrokerTls.SERVER_FILE, BrokerTls.SERVER_KEY_FILE,
                BrokerTls.KEYSTORE_FILE, BrokerTls.TRUSTSTORE_FILE)) {
            assertThat(Files.getPosixFilePermissions(dir.resolve("tls").resolve(f))).as(f).isEqualTo(PrivateFiles.FILE);
        }
    }

    @Test
    void issuedClientCertificate_chainsToTheCa_withTheNameAsCn_forClientAuth() throws Exception {
        BrokerTls tls = BrokerTls.open(BrokerTls.Settings.generated(dir), BindAddress.LOOPBACK);

        BrokerTls.IssuedCertificate issued = tls.issueClientCertificate("IMS-TLS-1", Duration.ofDays(30));

        Path cert = Files.writeString(dir.resolve("m.crt.pem"), issued.certificatePem());
        Path key = Files.writeString(dir.resolve("m.key.pem"), issued.privateKeyPem());
        List<X509Certificate> chain = Pem.readCertificates(cert, "cert");
        assertThat(chain.get(0).getSubjectX500Principal().getName()).isEqualTo("CN=IMS-TLS-1");
        assertThat(chain.get(0).getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2"); // clientAuth
        assertThat(BrokerSecurityExtension.commonName(chain.get(0).getSubjectX500Principal())).contains("IMS-TLS-1");
        PKIXParameters pkix = new PKIXParameters(Set.of(new TrustAnchor(tls.ca(), null)));
        pkix.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(chain.get(0))), pkix);
        assertThat(Pem.readPrivateKey(key, "key").getAlgorithm()).isEqualTo("EC");
        assertThat(issued.toString()).doesNotContain("PRIVATE").contains("<hidden>");
    }

    @Test
    void operatorsOwnCertificate_isUsed_andAKeyThatIsNotItsIsRefused() throws Exception {
        BrokerTls ca = BrokerTls.open(BrokerTls.Settings.generated(dir.resolve("ca")), BindAddress.LOOPBACK);
        BrokerTls.IssuedCertificate server = ca.issueServerCertificate(List.of("broker.example.org"), Duration.ofDays(90));
        BrokerTls.IssuedCertificate other = ca.issueServerCertificate(List.of("other.example.org"), Duration.ofDays(90));
        Path chain = Files.writeString(dir.resolve("server.pem"), server.certificatePem());
        Path key = Files.writeString(dir.resolve("server-key.pem"), server.privateKeyPem());
        Path wrongKey = Files.writeString(dir.resolve("other-key.pem"), other.privateKeyPem());

        BrokerTls own = BrokerTls.open(BrokerTls.Settings.own(dir.resolve("own"),
                new BrokerTls.OwnCertificate(chain, key, ca.caFile(), Optional.empty())), BindAddress.LOOPBACK);

        assertThat(own.serverChain().get(0)).isEqualTo(server.certificate());
        assertThat(own.ca()).isEqualTo(ca.ca());
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(own.keyStore())) {
            ks.load(in, own.keyStorePassword().toCharArray());
        }
        assertThat(ks.getCertificate("broker")).isEqualTo(server.certificate());
        assertThatThrownBy(() -> own.issueClientCertificate("IMS-X", Duration.ofDays(1))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> BrokerTls.open(BrokerTls.Settings.own(dir.resolve("own2"),
                new BrokerTls.OwnCertificate(chain, wrongKey, ca.caFile(), Optional.empty())), BindAddress.LOOPBACK))
                .isInstanceOf(ConfigException.class).hasMessageContaining("is not the key of");
    }
}
