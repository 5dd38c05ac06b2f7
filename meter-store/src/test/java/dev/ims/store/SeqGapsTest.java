package dev.ims.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SeqGapsTest {

    private static Map<Long, Long> bits(long... seqs) {
        Map<Long, Long> out = new HashMap<>();
        for (long s : seqs) {
            out.merge(StoreLayout.seqBlock(s), StoreLayout.seqBit(s), (a, b) -> a | b);
        }
        return out;
    }

    @Test
    void gapsFromZeroToTheHighestSeqAcrossBlocksAndDays() {
        SeqGaps g = new SeqGaps().add(bits(0, 1, 2, 63, 64, 200)).add(bits(201, 1_000_000_000L)).add(bits(1, 2));
        assertThat(g.gaps(100).gaps()).containsExactly(new SeqGaps.Gap(3, 62), new SeqGaps.Gap(65, 199),
                new SeqGaps.Gap(202, 999_999_999L));
        assertThat(g.gaps(100).gaps().get(2).count()).isEqualTo(999_999_798L);
        assertThat(g.gaps(100).truncated()).isFalse();
    }

    @Test
    void aMeterStartingLateHasAGapFromZeroAndTheListIsCapped() {
        assertThat(new SeqGaps().add(bits(5, 7, 9, 11)).gaps(2)).isEqualTo(new SeqGaps.Result(
                List.of(new SeqGaps.Gap(0, 4), new SeqGaps.Gap(6, 6)), true));
        assertThat(new SeqGaps().add(bits(0, 1, 2)).gaps(10).gaps()).isEmpty();
        assertThat(new SeqGaps().gaps(10).gaps()).isEmpty();
    }
}
