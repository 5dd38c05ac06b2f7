package dev.ims.embedded.broker;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.async.TimeoutFallback;
import com.hivemq.extension.sdk.api.auth.PublishAuthorizer;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.SubscriptionAuthorizer;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.parameter.ClientBasedInput;
import com.hivemq.extension.sdk.api.interceptor.connect.ConnectInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.disconnect.DisconnectInboundInterceptor;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import dev.ims.model.log.LogSafe;
import dev.ims.model.security.Identity;
import dev.ims.model.security.Role;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded broker's security and limits, inside HiveMQ CE (whose config.xml has neither):
 * <ul>
 *   <li>authentication: every CONNECT needs a username and password that {@link BrokerSecurity#directory()}
 *       proves, or (TLS listener) a client certificate the CA signed whose CN names an existing, active identity
 *       ({@code lookup}; a username, if sent, must equal the CN; no password needed), and a client ID equal to that
 *       identity's name; otherwise CONNACK {@code BAD_USER_NAME_OR_PASSWORD}
 *       or {@code CLIENT_IDENTIFIER_NOT_VALID}. A lookup that does not answer in {@link #AUTH_TIMEOUT} (the store
 *       down) refuses with {@code SERVER_UNAVAILABLE}; the client retries.
 *   <li>authorisation: every PUBLISH (the will included) and every SUBSCRIBE is checked against the rights table
 *       ({@link dev.ims.model.security.BrokerRights}); refused with {@code NOT_AUTHORIZED} in the PUBACK or SUBACK.
 *       After a refused PUBLISH HiveMQ CE also closes the connection (measured on 2025.5: DISCONNECT
 *       {@code NOT_AUTHORIZED}, MQTT 5 clients included; an MQTT 3.1.1 client is just disconnected). A will the rights
 *       do not allow refuses the CONNECT itself ({@code NOT_AUTHORIZED}). A {@code $share/<group>/} SUBSCRIBE reaches the
 *       subscription authorizer with its share prefix (so another group is refused).
 *   <li>limits: the CONNECT's session expiry is lowered for every client but the ingest before HiveMQ creates
 *       or resumes the session, and a DISCONNECT cannot raise it again; the client's queue size is set at
 *       authentication and stored with its session ({@link ClientPolicy}).
 * </ul>
 * Every refusal is counted ({@link #refusals()}); the first of each kind in a minute is logged. Called on
 * HiveMQ's extension threads; the authenticated identity travels with the connection (its attribute store).
 */
final class BrokerSecurityExtension implements ExtensionMain {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
    static final Duration AUTH_TIMEOUT = Duration.ofSeconds(5);
    private static final String IDENTITY_ATTRIBUTE = "ims.identity";

    private final ClientPolicy policy;
    private final BrokerSecurity security;
    /** The CAs a client certificate must chain to (the TLS listener's trust store); empty: no certificate is an identity. */
    private final java.util.Set<java.security.cert.TrustAnchor> certificateAuthorities;
    private final AtomicLong refusedConnects = new AtomicLong();
    private final AtomicLong refusedPublishes = new AtomicLong();
    private final AtomicLong refusedSubscribes = new AtomicLong();
    private final RefusalLog refusalLog = new RefusalLog();
    private volatile boolean started;
    private final Duration sysInterval;
    private volatile SysTopicsPublisher sysTopics;

    BrokerSecurityExtension(ClientPolicy policy, BrokerSecurity security, java.util.List<java.security.cert.X509Certificate> trusted,
            Duration sysInterval) {
        this.sysInterval = sysInterval;
        this.policy = policy;
        this.security = security;
        this.certificateAuthorities = trusted.stream().map(c -> new java.security.cert.TrustAnchor(c, null))
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    EmbeddedExtension embedded() {
        return EmbeddedExtension.builder()
                .withId("ims-broker-security")
                .withName("IMS broker security and limits")
                .withVersion("2")
                .withExtensionMain(this)
                .build();
    }

    /**
     * Whether authentication, rights and limits are in force. HiveMQ only logs an extension that fails to start and
     * runs on without it (open to everyone); the broker's start checks this instead, so it fails rather than run open.
     */
    boolean started() {
        return started;
    }

    Refusals refusals() {
        return new Refusals(refusedConnects.get(), refusedPublishes.get(), refusedSubscribes.get());
    }

    @Override
    public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
        ConnectInboundInterceptor capOnConnect = (in, out) -> {
            var connect = out.getConnectPacket();
            long granted = policy.sessionExpiry(connect.getClientId(), connect.getSessionExpiryInterval());
            if (granted < connect.getSessionExpiryInterval()) {
                connect.setSessionExpiryInterval(granted);
            }
        };
        DisconnectInboundInterceptor capOnDisconnect = (in, out) -> {
            var disconnect = out.getDisconnectPacket();
            disconnect.getSessionExpiryInterval().ifPresent(requested -> {
                long granted = policy.sessionExpiry(in.getClientInformation().getClientId(), requested);
                if (granted < requested) {
                    disconnect.setSessionExpiryInterval(granted);
                }
            });
        };
        SimpleAuthenticator authenticator = this::authenticate;
        Authorizer authorizer = new Authorizer();
        Services.interceptorRegistry().setConnectInboundInterceptorProvider(in -> capOnConnect);
        Services.initializerRegistry().setClientInitializer((in, client) -> client.addDisconnectInboundInterceptor(capOnDisconnect));
        Services.securityRegistry().setAuthenticatorProvider(in -> authenticator);
        // HiveMQ keeps one authorizer provider per extension: a second setAuthorizerProvider call replaces the first
        // (registered separately, the publish authorizer was dropped and publishes went unchecked), so one object is both.
        Services.securityRegistry().setAuthorizerProvider(in -> authorizer);
        // HiveMQ CE has no $SYS tree: the monitoring identity reads the same topics as on Mosquitto from this.
        sysTopics = new SysTopicsPublisher(sysInterval, "HiveMQ CE " + input.getServerInformation().getVersion());
        sysTopics.start();
        started = true;
    }

    /** Both authorizers in one: HiveMQ keeps a single authorizer provider per extension. */
    private final class Authorizer implements PublishAuthorizer, SubscriptionAuthorizer {

        /** Every PUBLISH, and the will of a CONNECT (HiveMQ then refuses the CONNECT with {@code NOT_AUTHORIZED}). */
        @Override
        public void authorizePublish(PublishAuthorizerInput in, PublishAuthorizerOutput out) {
            Optional<Identity> who = identityOf(in);
            String topic = in.getPublishPacket().getTopic();
            if (who.isPresent() && security.rights().mayPublish(who.get(), topic)) {
                out.authorizeSuccessfully();
            } else {
                refusedPublishes.incrementAndGet();
                refusalLog.publish(in.getClientInformation().getClientId(), topic);
                out.failAuthorization(AckReasonCode.NOT_AUTHORIZED, "not allowed to publish to this topic");
            }
        }

        /** Every topic filter of a SUBSCRIBE, as the client wrote it ({@code $share/<group>/} included). */
        @Override
        public void authorizeSubscribe(SubscriptionAuthorizerInput in, SubscriptionAuthorizerOutput out) {
            Optional<Identity> who = identityOf(in);
            String filter = in.getSubscription().getTopicFilter();
            if (who.isPresent() && security.rights().maySubscribe(who.get(), filter)) {
                out.authorizeSuccessfully();
            } else {
                refusedSubscribes.incrementAndGet();
                refusalLog.subscribe(in.getClientInformation().getClientId(), filter);
                out.failAuthorization(SubackReasonCode.NOT_AUTHORIZED, "not allowed to subscribe to this filter");
            }
        }
    }

    private void authenticate(SimpleAuthInput in, SimpleAuthOutput out) {
        var connect = in.getConnectPacket();
        String clientId = connect.getClientId();
        Optional<String> username = connect.getUserName();
        Optional<ByteBuffer> password = connect.getPassword();
        Optional<String> certificateName = certificateName(in);
        CompletionStage<Optional<Identity>> lookup;
        if (certificateName.isPresent()) {
            // HiveMQ verified the certificate against the CA trust store in the handshake: its CN is the identity.
            String name = certificateName.get();
            if (username.isPresent() && !username.get().equals(name)) {
                refuse(out, clientId, ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, "the username must equal the client certificate's name");
                return;
            }
            lookup = security.directory().lookup(name);
        } else if (username.isEmpty() || password.isEmpty()) {
            refuse(out, clientId, ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, "a username and password (or a client certificate) are required");
            return;
        } else {
            String secret = StandardCharsets.UTF_8.decode(password.get().asReadOnlyBuffer()).toString();
            lookup = security.directory().authenticate(username.get(), secret);
        }
        Async<SimpleAuthOutput> async = out.async(AUTH_TIMEOUT, TimeoutFallback.FAILURE, ConnackReasonCode.SERVER_UNAVAILABLE,
                "the identity directory did not answer in time");
        lookup.whenComplete((found, error) -> {
            try {
                if (error != null) {
                    refuse(out, clientId, ConnackReasonCode.SERVER_UNAVAILABLE, "the identity directory is unavailable");
                } else if (found.isEmpty()) {
                    refuse(out, clientId, ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, "unknown identity or wrong secret");
                } else if (!security.rights().mayUseClientId(found.get(), clientId)) {
                    refuse(out, clientId, ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID, "the client ID must equal the username");
                } else {
                    Identity who = found.get();
                    in.getConnectionInformation().getConnectionAttributeStore()
                            .putAsString(IDENTITY_ATTRIBUTE, who.role().name() + ":" + who.name());
                    policy.queueLimit(clientId).ifPresent(out.getClientSettings()::setClientQueueSizeMaximum);
                    out.authenticateSuccessfully();
                }
            } finally {
                async.resume();
            }
        });
    }

    /**
     * The CN of the client certificate the TLS handshake verified, if the client sent one (TLS listener only; a
     * certificate the CA did not sign never gets this far). Empty when there is none or it has no usable CN.
     */
    private Optional<String> certificateName(SimpleAuthInput in) {
        return in.getConnectionInformation().getClientTlsInformation()
                .flatMap(t -> t.getClientCertificateChain())
                .filter(this::chainsToTheCa)
                .flatMap(chain -> commonName(chain[0].getSubjectX500Principal()));
    }

    /**
     * Checks again what HiveMQ's trust store checked in the handshake (defence in depth: a listener misconfigured
     * to trust more must not make any certificate an identity): the chain validates to one of the broker's CAs, now.
     */
    private boolean chainsToTheCa(java.security.cert.X509Certificate[] chain) {
        if (chain.length == 0 || certificateAuthorities.isEmpty()) {
            return false;
        }
        try {
            java.security.cert.PKIXParameters pkix = new java.security.cert.PKIXParameters(certificateAuthorities);
            pkix.setRevocationEnabled(false);
            java.util.List<java.security.cert.X509Certificate> path = new java.util.ArrayList<>(java.util.List.of(chain));
            path.removeIf(c -> certificateAuthorities.stream().anyMatch(a -> a.getTrustedCert().equals(c)));
            java.security.cert.CertPathValidator.getInstance("PKIX")
                    .validate(java.security.cert.CertificateFactory.getInstance("X.509").generateCertPath(path), pkix);
            return true;
        } catch (java.security.GeneralSecurityException e) {
            LOG.warn("Ignoring a client certificate that does not validate against the broker's CA: {}", e.getMessage());
            return false;
        }
    }

    /** The single CN of {@code subject}; empty when it has none or several. */
    static Optional<String> commonName(javax.security.auth.x500.X500Principal subject) {
        try {
            var rdns = new javax.naming.ldap.LdapName(subject.getName()).getRdns();
            String cn = null;
            for (var rdn : rdns) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    if (cn != null) {
                        return Optional.empty();
                    }
                    cn = String.valueOf(rdn.getValue());
                }
            }
            return Optional.ofNullable(cn);
        } catch (javax.naming.InvalidNameException e) {
            return Optional.empty();
        }
    }

    private void refuse(SimpleAuthOutput out, String clientId, ConnackReasonCode code, String why) {
        refusedConnects.incrementAndGet();
        refusalLog.connect(clientId, code, why);
        out.failAuthentication(code, why);
    }

    private static Optional<Identity> identityOf(ClientBasedInput in) {
        return in.getConnectionInformation().getConnectionAttributeStore().getAsString(IDENTITY_ATTRIBUTE).map(s -> {
            int colon = s.indexOf(':');
            return new Identity(Role.valueOf(s.substring(0, colon)), s.substring(colon + 1));
        });
    }

    /** Disconnects {@code clientId}'s connection, if any (its credential was revoked); true when one was open. */
    CompletableFuture<Boolean> disconnect(String clientId) {
        return Services.clientService().disconnectClient(clientId, false,
                DisconnectReasonCode.NOT_AUTHORIZED, "credential revoked");
    }

    @Override
    public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
        started = false; // HiveMQ removes what the extension registered
        if (sysTopics != null) {
            sysTopics.stop();
        }
    }

    /** At most one log line per kind of refusal per minute, saying how many were not logged. Thread-safe. */
    private static final class RefusalLog {
        private final Kind connects = new Kind();
        private final Kind publishes = new Kind();
        private final Kind subscribes = new Kind();

        void connect(String clientId, ConnackReasonCode code, String why) {
            connects.log(n -> LOG.warn("Refused connection of client '{}': {} ({}){}", LogSafe.of(clientId), code, why, more(n)));
        }

        void publish(String clientId, String topic) {
            publishes.log(n -> LOG.warn("Refused PUBLISH of client '{}' to '{}': not authorised{}", LogSafe.of(clientId),
                    LogSafe.of(topic), more(n)));
        }

        void subscribe(String clientId, String filter) {
            subscribes.log(n -> LOG.warn("Refused SUBSCRIBE of client '{}' to '{}': not authorised{}", LogSafe.of(clientId),
                    LogSafe.of(filter), more(n)));
        }

        private static String more(long suppressed) {
            return suppressed == 0 ? "" : "; " + suppressed + " more of this kind in the last minute";
        }

        private static final class Kind {
            private long windowStart = Long.MIN_VALUE;
            private long suppressed;

            synchronized void log(LongConsumer line) {
                long now = System.nanoTime();
                if (windowStart == Long.MIN_VALUE || now - windowStart >= 60_000_000_000L) {
                    long n = suppressed;
                    windowStart = now;
                    suppressed = 0;
                    line.accept(n);
                } else {
                    suppressed++;
                }
            }
        }
    }
}
