package dev.tracepoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tracepoke.decode.pipeline.CoreDecoderFactory;
import dev.tracepoke.sim.scenario.EventStyle;
import dev.tracepoke.sim.scenario.Protocol;
import dev.tracepoke.sim.scenario.Scenario;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenarios that {@code tracepoke campaign} found breaking the invariant (or a bound), shrunk, and
 * kept with the exact diff they give now: each failed before the fix named with it.
 */
class CampaignRegressionsTest {
  @TempDir Path tmp;

  /**
   * Campaign seed 7, run 45 (shrunk): core 3's run ends on an armed kprobe's BRK, the last thing in
   * its truth. The decoder resolves that execution to BRK, rightly; the diff held the truth's trap
   * only when a run followed it and counted the resolution wrong.
   */
  @Test
  void aBrkTheTruthEndsOnIsJudgedRight() throws IOException {
    Scenario s = new Scenario("campaign-7-45", 5, 9109786864757642138L, 11902, 202,
        Protocol.of("brk-emulate-nofirstsync"), EventStyle.NONE, 52, 24432, 92, 0.56, 65536, 0, 0,
        false);
    FlowVsTruthTest.Totals t = FlowVsTruthTest.run(s, tmp, CoreDecoderFactory.WINDOWS)[0];
    assertEquals(57182, t.instructions());
    assertEquals(0, t.silent());
    assertEquals(173, t.ambiguous());
    assertEquals(154, t.right());
    assertEquals(0, t.wrong());
    assertEquals(19, t.undecidable());
    assertEquals(0, t.gaveUp());
  }
}
