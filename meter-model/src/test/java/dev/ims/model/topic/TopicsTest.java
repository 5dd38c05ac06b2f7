package dev.ims.model.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopicsTest {

    private final Topics topics = new Topics("meters");

    @Test
    void topicNames_followTheContract() {
        assertThat(topics.reading("m-1")).isEqualTo("meters/m-1/reading");
        assertThat(topics.backlog("m-1")).isEqualTo("meters/m-1/backlog");
        assertThat(topics.status("m-1")).isEqualTo("meters/m-1/status");
        assertThat(topics.command("m-1")).isEqualTo("meters/m-1/command");
        assertThat(topics.commandAck("m-1")).isEqualTo("meters/m-1/command/ack");
        assertThat(topics.shared("ims-ingest", TopicKind.READING)).isEqualTo("$share/ims-ingest/meters/+/reading");
        assertThat(topics.shared("ims-ingest", TopicKind.BACKLOG)).isEqualTo("$share/ims-ingest/meters/+/backlog");
    }

    @Test
    void parse_understandsEveryKind_underAMultiLevelPrefix() {
        Topics deep = new Topics("utility/north");
        for (TopicKind kind : TopicKind.values()) {
            assertThat(deep.parse(deep.of("IMS-1", kind))).contains(new TopicAddress("IMS-1", kind));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"other/m-1/reading", "meters/m-1", "meters/m-1/unknown", "meters/a b/reading",
        "meters/xy/reading", "meters/m-1/reading/extra", "meters//reading"})
    void parse_rejectsTopicsOutsideTheScheme(String topic) {
        assertThat(topics.parse(topic)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "$SYS", "/meters", "meters/", "me+ters", "a/#", "a//b"})
    void prefix_withWildcardsOrBadSlashes_isRefused(String prefix) {
        assertThatThrownBy(() -> new Topics(prefix)).isInstanceOf(IllegalArgumentException.class);
    }
}
