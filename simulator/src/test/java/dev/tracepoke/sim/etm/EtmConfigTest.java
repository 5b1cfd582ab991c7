package dev.tracepoke.sim.etm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tracepoke.perf.CsEtmInfo;
import dev.tracepoke.perf.EtmV4Params;
import dev.tracepoke.perf.PerfEventAttr;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EtmConfigTest {

  @Test
  void perfCpuWideDefaults() {
    EtmConfig c = EtmConfig.forCpu(1);
    assertEquals(0x12, c.traceId());
    assertEquals(0x840, c.trcConfigR());
    assertArrayEquals(new long[] {0x840, 0x12, 0x28000EA1L, 0x4100F423L, 0x488, 0, 0xCC}, c.perfParams());
  }

  @Test
  void trcConfigRIsWhatPerfSynthesisesForTheSameEventConfig() {
    long attrConfig = PerfEventAttr.CS_ETM_CONTEXTID | PerfEventAttr.CS_ETM_TIMESTAMP;
    assertEquals(CsEtmInfo.trcconfigr(attrConfig), EtmConfig.forCpu(0).trcConfigR());
    assertEquals(CsEtmInfo.trcconfigr(PerfEventAttr.CS_ETM_TIMESTAMP),
        EtmConfig.forCpu(0).withContextIdTracing(false, 0).trcConfigR());
    EtmV4Params block = EtmConfig.forCpu(3).perfBlock();
    assertEquals(EtmV4Params.etmV4(3, 0x840, 0x16, 0x28000EA1L, 0x4100F423L, 0x488, 0, 0xCC), block);
    assertEquals(CsEtmInfo.legacyTraceId(3), block.traceId());
  }

  @Test
  void configRegisterFollowsWhatTheStreamCarries() {
    assertEquals(0x040, EtmConfig.forCpu(0).withTimestamps(false, 0).trcConfigR());
    assertEquals(0x800, EtmConfig.forCpu(0).withContextIdTracing(false, 0).trcConfigR());
  }

  @Test
  void snapshotRegisters() {
    Map<String, Long> regs = EtmConfig.forCpu(2).snapshotRegisters();
    assertEquals(List.of("TRCCONFIGR", "TRCTRACEIDR", "TRCAUTHSTATUS", "TRCIDR0", "TRCIDR1", "TRCIDR2", "TRCIDR8",
        "TRCIDR9", "TRCIDR10", "TRCIDR11", "TRCIDR12", "TRCIDR13"), List.copyOf(regs.keySet()));
    assertEquals(0x14L, regs.get("TRCTRACEIDR"));
    assertEquals(0L, regs.get("TRCIDR8"));
  }

  @Test
  void syncPeriodInBytes() {
    assertEquals(10, EtmConfig.forCpu(0).withSyncPeriodBytes(1024).syncPeriodLog2());
    assertThrows(IllegalArgumentException.class, () -> EtmConfig.forCpu(0).withSyncPeriodBytes(1000));
    assertThrows(IllegalArgumentException.class, () -> EtmConfig.forCpu(0).withSyncPeriodBytes(128));
  }

  @Test
  void overflowWindowsMustBeOrdered() {
    assertThrows(IllegalArgumentException.class, () -> EtmConfig.forCpu(0)
        .withOverflows(List.of(new OverflowWindow(100, 200), new OverflowWindow(150, 300))));
    assertThrows(IllegalArgumentException.class, () -> new OverflowWindow(5, 5));
  }
}
