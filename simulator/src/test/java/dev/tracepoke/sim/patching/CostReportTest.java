package dev.tracepoke.sim.patching;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tracepoke.sim.scenario.Protocol;
import java.util.List;
import org.junit.jupiter.api.Test;

class CostReportTest {
  @Test
  void patchTimeIsBeginToEndAndLatencyBeginToVisible() {
    List<PokeCost> costs = List.of(
        // index, protocol, sites, begin, maintenanceDone, end, visible, ipis, lost, off
        new PokeCost(0, Protocol.NOSYNC, 1, 1_000, 1_200, 1_300, 9_000, 0, 0, 300),
        new PokeCost(1, Protocol.NOSYNC, 2, 20_000, 20_100, 20_500, -1, 0, 0, 500),
        new PokeCost(2, Protocol.NOSYNC, 1, 30_000, 30_050, 30_100, 31_000, 0, 0, 100),
        // not finished by the end of the run: left out
        new PokeCost(3, Protocol.NOSYNC, 1, 40_000, -1, -1, -1, 0, 0, 0),
        // another protocol: left out
        new PokeCost(4, Protocol.STOP_MACHINE, 1, 50_000, 50_900, 51_000, 51_000, 3, 2_000, 1_000));
    CostReport r = CostReport.of(Protocol.NOSYNC, costs);
    assertEquals(new CostReport(Protocol.NOSYNC, 3, 4, (8_000 + 1_000) / 2, 8_000, 1, 0, 0, 500,
        (300 + 500 + 100) / 3, 500), r);
  }
}
