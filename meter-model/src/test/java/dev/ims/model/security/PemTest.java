package dev.ims.model.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ims.model.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemTest {

    @TempDir
    Path dir;

    @Test
    void pkcs8Keys_rsaAndEc_readBackAsTheSameKey() throws Exception {
        for (String algorithm : new String[] {"RSA", "EC"}) {
            KeyPair pair = KeyPairGenerator.getInstance(algorithm).generateKeyPair();
            Path file = Files.writeString(dir.resolve(algorithm + ".pem"), Pem.privateKey(pair.getPrivate()));

            assertThat(Pem.readPrivateKey(file, "MQTT_KEY_FILE")).isEqualTo(pair.getPrivate());
        }
    }

    @Test
    void missingFile_orNoKey_orATraditionalKey_isAConfigError_namingTheFile_withoutItsContent() throws Exception {
        Path missing = dir.resolve("missing.pem");
        Path rsaTraditional = Files.writeString(dir.resolve("old.pem"), "-----BEGIN RSA PRIVATE KEY-----\nTUlJQ1hR\n-----END RSA PRIVATE KEY-----\n");

        assertThatThrownBy(() -> Pem.readPrivateKey(missing, "MQTT_KEY_FILE")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("MQTT_KEY_FILE").hasMessageContaining("missing.pem");
        assertThatThrownBy(() -> Pem.readPrivateKey(rsaTraditional, "MQTT_KEY_FILE")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("openssl pkcs8 -topk8").hasMessageNotContaining("TUlJQ1hR");
        assertThatThrownBy(() -> Pem.readCertificates(rsaTraditional, "MQTT_CA_FILE")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("no PEM certificate");
    }
}
