package dev.ims.portal.command;

import dev.ims.model.log.LogSafe;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends queued relay commands when their meter is online: at once on the meter's {@code ONLINE} status
 * message (the broker's retained birth included), and on a periodic sweep over the meters the store shows
 * online (a birth that came before the command was queued, a portal restart, a broker that did not take a
 * command). Several portals may do this at once: {@link CommandService#claim} lets one of them publish each
 * command.
 *
 * <p>One delivery per meter at a time within this portal, so that its commands go out in the order they were
 * requested; a status message during a delivery is left to the next sweep.
 */
public final class CommandDelivery {

    private static final Logger LOG = LoggerFactory.getLogger(CommandDelivery.class);

    /** How often the store is swept for queued commands of online meters. */
    public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofSeconds(10);

    private final Vertx vertx;
    private final CommandService commands;
    private final Duration sweepInterval;
    private final Set<String> delivering = ConcurrentHashMap.newKeySet();
    private long timer = -1;
    private boolean sweeping;

    public CommandDelivery(Vertx vertx, CommandService commands, Duration sweepInterval) {
        this.vertx = vertx;
        this.commands = commands;
        this.sweepInterval = sweepInterval;
    }

    private RelayOperations approvals;

    /** Also expires, on every sweep, the commands awaiting approval past their deadline. Call before {@link #start}. */
    public CommandDelivery withApprovals(RelayOperations approvals) {
        this.approvals = approvals;
        return this;
    }

    /** Follows {@code publisher}'s status messages and starts the sweep. */
    public CommandDelivery start(CommandPublisher publisher) {
        publisher.onMeterOnline(meterId -> vertx.runOnContext(v -> deliver(meterId)));
        timer = vertx.setPeriodic(sweepInterval.toMillis(), id -> sweep());
        return this;
    }

    /** Delivers the queued commands of {@code meterId}, unless a delivery for it is under way here. */
    public Future<Integer> deliver(String meterId) {
        if (!delivering.add(meterId)) {
            return Future.succeededFuture(0);
        }
        return commands.deliverQueued(meterId).onComplete(r -> {
            delivering.remove(meterId);
            if (r.failed()) {
                LOG.warn("Queued commands for meter {} not delivered now: {}", LogSafe.of(meterId), LogSafe.of(r.cause().toString()));
            } else if (r.result() > 0) {
                LOG.info("Meter {} is online: {} queued relay command(s) delivered", LogSafe.of(meterId), r.result());
            }
        });
    }

    private void sweep() {
        if (sweeping) {
            return;
        }
        sweeping = true;
        if (approvals != null) {
            approvals.expireApprovals().onFailure(e -> LOG.debug("Approval expiry skipped: {}", LogSafe.of(e.toString())));
        }
        commands.onlineMetersWithQueued()
                .compose(ids -> Future.join(ids.stream().map(this::deliver).toList()))
                .onComplete(r -> {
                    sweeping = false;
                    if (r.failed()) {
                        LOG.debug("Queued command sweep skipped: {}", LogSafe.of(r.cause().toString()));
                    }
                });
    }

    public void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }
}
