package dev.ims.launcher.bench;

import dev.ims.model.security.Credential;
import dev.ims.model.security.Identity;
import dev.ims.model.security.IdentityDirectory;
import dev.ims.model.security.Secrets;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The bench's meters on its own embedded broker: thousands of meters, each with its own credential, without
 * enrolling each one through a portal. A meter's secret is HMAC-SHA256(run key, meter ID); the broker's meter
 * directory recomputes it. The run key is random per run and passed to the fleet-memory JVM in
 * {@value #KEY_VARIABLE}. Only for a broker the bench started itself: a real stack enrols its meters.
 */
final class BenchIdentities {

    /** The environment variable carrying the run key to the fleet-memory probe. */
    static final String KEY_VARIABLE = "IMS_BENCH_KEY";

    private final String key;

    BenchIdentities(String key) {
        this.key = key;
    }

    static BenchIdentities random() {
        return new BenchIdentities(Secrets.newSecret());
    }

    String key() {
        return key;
    }

    Credential meter(String meterId) {
        return new Credential(meterId, secretOf(meterId));
    }

    /** Proves a meter whose password is its derived secret. */
    IdentityDirectory meters() {
        return (username, password) -> CompletableFuture.completedFuture(username != null && Secrets.same(password, secretOf(username))
                ? Optional.of(Identity.meter(username)) : Optional.empty());
    }

    private String secretOf(String meterId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(meterId.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }
}
