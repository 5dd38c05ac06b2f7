package dev.ims.model.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.model.topic.Topics;
import org.junit.jupiter.api.Test;

class BrokerRightsTest {

    private final BrokerRights rights = new BrokerRights(Topics.defaults(), "ims-ingest");
    private final Identity meter = Identity.meter("IMS-1");
    private final Identity ingest = new Identity(Role.INGEST, "ims-ingest-1-backlog");
    private final Identity portal = new Identity(Role.PORTAL, "ims-portal");
    private final Identity monitor = new Identity(Role.MONITOR, "ims-monitor");

    @Test
    void monitor_subscribesToSysOnly_andPublishesNothing() {
        assertThat(rights.maySubscribe(monitor, "$SYS/#")).isTrue();
        assertThat(rights.maySubscribe(monitor, "#")).isFalse();
        assertThat(rights.maySubscribe(monitor, "meters/+/reading")).isFalse();
        assertThat(rights.maySubscribe(monitor, "meters/+/status")).isFalse();
        assertThat(rights.maySubscribe(monitor, "$share/ims-ingest/meters/+/reading")).isFalse();
        assertThat(rights.mayPublish(monitor, "meters/IMS-1/reading")).isFalse();
        assertThat(rights.mayPublish(monitor, "meters/IMS-1/command")).isFalse();
        assertThat(rights.maySubscribe(portal, "$SYS/#")).isFalse();
        assertThat(rights.maySubscribe(ingest, "$SYS/#")).isFalse();
        assertThat(rights.grants(monitor)).containsExactly(new BrokerRights.Grant(BrokerRights.Access.SUBSCRIBE, "$SYS/#"));
    }

    @Test
    void backlog_meterPublishesItsOwn_butNotAnotherMetersOrAWildcard() {
        assertThat(rights.mayPublish(meter, "meters/IMS-1/backlog")).isTrue();
        assertThat(rights.mayPublish(meter, "meters/IMS-2/backlog")).isFalse();
        assertThat(rights.mayPublish(meter, "meters/+/backlog")).isFalse();
        assertThat(rights.mayPublish(ingest, "meters/IMS-1/backlog")).isFalse();
        assertThat(rights.mayPublish(portal, "meters/IMS-1/backlog")).isFalse();
    }

    @Test
    void backlog_onlyIngestSubscribes_plainOrThroughItsShareGroup() {
        assertThat(rights.maySubscribe(ingest, "meters/+/backlog")).isTrue();
        assertThat(rights.maySubscribe(ingest, "$share/ims-ingest/meters/+/backlog")).isTrue();
        assertThat(rights.maySubscribe(ingest, "$share/other/meters/+/backlog")).isFalse();
        assertThat(rights.maySubscribe(meter, "meters/IMS-1/backlog")).isFalse();
        assertThat(rights.maySubscribe(meter, "meters/+/backlog")).isFalse();
        assertThat(rights.maySubscribe(portal, "meters/+/backlog")).isFalse();
    }

    @Test
    void grants_listBacklogBesideReading_forMosquittosAccessLists() {
        assertThat(rights.grants(meter)).contains(new BrokerRights.Grant(BrokerRights.Access.PUBLISH, "meters/IMS-1/backlog"));
        assertThat(rights.grants(ingest)).contains(
                new BrokerRights.Grant(BrokerRights.Access.SUBSCRIBE, "meters/+/backlog"),
                new BrokerRights.Grant(BrokerRights.Access.SUBSCRIBE, "$share/ims-ingest/meters/+/backlog"));
    }
}
