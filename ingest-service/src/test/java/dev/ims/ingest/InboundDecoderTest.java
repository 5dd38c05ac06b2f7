package dev.ims.ingest;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.model.command.CommandAck;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.ReadingCodec;
import dev.ims.model.reading.RejectReason;
import dev.ims.model.reading.RelayState;
import dev.ims.model.status.ConnectionState;
import dev.ims.model.status.StatusMessage;
import dev.ims.model.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InboundDecoderTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Topics TOPICS = new Topics("meters");
    private final InboundDecoder decoder = new InboundDecoder(TOPICS);

    @Test
    void reading_onReadingOrBacklogTopic_decodesToTheReading_andCounts() {
        Reading r = Reading.of("meter-1", 7, NOW.minusSeconds(5), 12.5, 300.0, 230.0, null, null, null);
        byte[] payload = new ReadingCodec().encode(r);
        for (String topic : new String[] {TOPICS.reading("meter-1"), TOPICS.backlog("meter-1")}) {
            InboundDecoder.Decoded d = decoder.decode(topic, payload, NOW);
            assertThat(d).isInstanceOf(InboundDecoder.ReadingIn.class);
            assertThat(((InboundDecoder.ReadingIn) d).reading().meterId()).isEqualTo("meter-1");
            assertThat(((InboundDecoder.ReadingIn) d).reading().seq()).isEqualTo(7);
            assertThat(((InboundDecoder.ReadingIn) d).reading().energyKwh()).isEqualTo(12.5);
            assertThat(d.counted()).isTrue();
        }
    }

    @Test
    void status_decodesToTheStatus_andIsNotCounted() {
        byte[] payload = StatusMessage.of("meter-1", ConnectionState.ONLINE, NOW.minusSeconds(1)).encode();
        InboundDecoder.Decoded d = decoder.decode(TOPICS.status("meter-1"), payload, NOW);
        assertThat(d).isInstanceOf(InboundDecoder.StatusIn.class);
        assertThat(((InboundDecoder.StatusIn) d).status().state()).isEqualTo(ConnectionState.ONLINE);
        assertThat(d.counted()).isFalse();
    }

    @Test
    void acknowledgement_decodesWithTheTopicsMeter_andIsNotCounted() {
        byte[] payload = new CommandAck("c-1", true, RelayState.OFF, null, NOW.minusSeconds(1)).encode();
        InboundDecoder.Decoded d = decoder.decode(TOPICS.commandAck("meter-1"), payload, NOW);
        assertThat(d).isEqualTo(new InboundDecoder.AckIn("meter-1", new CommandAck("c-1", true, RelayState.OFF, null, NOW.minusSeconds(1))));
        assertThat(d.counted()).isFalse();
    }

    @Test
    void status_fromTheFuture_isRejected_andCounted() {
        byte[] payload = StatusMessage.of("meter-1", ConnectionState.ONLINE, NOW.plus(Duration.ofDays(2))).encode();
        InboundDecoder.Decoded d = decoder.decode(TOPICS.status("meter-1"), payload, NOW);
        assertThat(rejection(d).getString(REASON)).isEqualTo(RejectReason.TIMESTAMP_IN_FUTURE.name());
        assertThat(rejection(d).getString(METER_ID)).isEqualTo("meter-1");
        assertThat(d.counted()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "meters/meter-1/reading | {not json | MALFORMED_JSON",
            "meters/meter-1/reading | [1, 2] | NOT_AN_OBJECT",
            "meters/meter-1/status | {not json | MALFORMED_JSON",
            "meters/meter-1/elsewhere | {} | INVALID_TOPIC",
            "other/meter-1/reading | {} | INVALID_TOPIC"})
    void badInput_isRejectedWithItsReason_keepingTopicAndPayload_andCounted(String topic, String payload, RejectReason reason) {
        InboundDecoder.Decoded d = decoder.decode(topic, payload.getBytes(StandardCharsets.UTF_8), NOW);
        Document doc = rejection(d);
        assertThat(doc.getString(REASON)).isEqualTo(reason.name());
        assertThat(doc.getString(TOPIC)).isEqualTo(topic);
        assertThat(doc.toJson()).contains(payload.replace("\"", "\\\""));
        assertThat(d.counted()).isTrue();
    }

    @Test
    void pendingItem_carriesExactlyWhatWasDecoded() {
        MqttSubscriber.Inbound in = new MqttSubscriber.Inbound(TOPICS.commandAck("meter-1"), new byte[0], () -> {});
        PendingItem item = PendingItem.of(in, new InboundDecoder.AckIn("meter-1", new CommandAck("c-1", false, RelayState.ON, "x", NOW)));
        assertThat(item.ack().meterId()).isEqualTo("meter-1");
        assertThat(item.reading()).isNull();
        assertThat(item.status()).isNull();
        assertThat(item.rejected()).isNull();
        assertThat(item.topic()).isEqualTo(TOPICS.commandAck("meter-1"));
    }

    private static Document rejection(InboundDecoder.Decoded d) {
        assertThat(d).isInstanceOf(InboundDecoder.Rejected.class);
        return ((InboundDecoder.Rejected) d).document();
    }
}
