package dev.ims.embedded.broker;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.interceptor.connect.ConnectInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.disconnect.DisconnectInboundInterceptor;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;

/**
 * Applies {@link ClientPolicy} inside HiveMQ CE, where config.xml can only set one limit for all clients:
 * <ul>
 *   <li>session expiry: the CONNECT's interval is lowered before HiveMQ creates or resumes the session, and
 *       a DISCONNECT cannot raise it again (MQTT 5 allows a client to change it there). The CONNACK does not
 *       tell the client (HiveMQ only sees the lowered request); the session simply expires on time.
 *   <li>queue: an authenticator sets the client's queue size maximum (SDK {@code ModifiableClientSettings}),
 *       which HiveMQ stores with the session, so it holds across broker restarts. It lets every client in,
 *       as the broker without an authenticator did (authentication comes with per-client identities). A
 *       shared subscription's queue is the group's, not a client's: it keeps config.xml's limit.
 * </ul>
 * Interceptors and authenticator are stateless and called on HiveMQ's extension threads.
 */
final class BrokerLimitsExtension implements ExtensionMain {

    private final ClientPolicy policy;
    private volatile boolean started;

    BrokerLimitsExtension(ClientPolicy policy) {
        this.policy = policy;
    }

    EmbeddedExtension embedded() {
        return EmbeddedExtension.builder()
                .withId("ims-broker-limits")
                .withName("IMS broker limits")
                .withVersion("1")
                .withExtensionMain(this)
                .build();
    }

    /**
     * Whether the limits are in force. HiveMQ only logs an extension that fails to start and runs on
     * without it; the broker's start checks this instead, so it fails rather than run unlimited.
     */
    boolean started() {
        return started;
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
        SimpleAuthenticator queueLimit = (in, out) -> {
            policy.queueLimit(in.getConnectPacket().getClientId()).ifPresent(out.getClientSettings()::setClientQueueSizeMaximum);
            out.authenticateSuccessfully();
        };
        Services.interceptorRegistry().setConnectInboundInterceptorProvider(in -> capOnConnect);
        Services.initializerRegistry().setClientInitializer((in, client) -> client.addDisconnectInboundInterceptor(capOnDisconnect));
        Services.securityRegistry().setAuthenticatorProvider(in -> queueLimit);
        started = true;
    }

    @Override
    public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
        started = false; // HiveMQ removes what the extension registered
    }
}
