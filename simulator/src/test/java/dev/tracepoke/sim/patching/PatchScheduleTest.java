package dev.tracepoke.sim.patching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tracepoke.sim.scenario.EventStyle;
import dev.tracepoke.sim.scenario.Protocol;
import dev.tracepoke.sim.workload.KernelImage;
import dev.tracepoke.sim.workload.Layout;
import dev.tracepoke.sim.workload.PatchSite;
import dev.tracepoke.sim.workload.WorkloadGenerator;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PatchScheduleTest {
  private static final KernelImage IMAGE = new WorkloadGenerator(7, 200, 4).generate();
  private static final long START = 1_000_000_000L;

  @Test
  void eachFlipTogglesItsGroupFromTheWordItHolds() {
    PatchSchedule s = PatchSchedule.plan(IMAGE, 3, START, 2_000_000, 20, Protocol.NOSYNC_KICK, EventStyle.TEXT_POKE);
    // 20 per ms over the first 1.8 ms (none in the last tenth)
    assertEquals(36, s.ops().size());
    assertEquals(36, s.interruptTimes().length);
    Map<Long, Integer> current = new HashMap<>();
    for (PatchOp op : s.ops()) {
      assertFalse(op.chained());
      int group = op.sites().get(0).group();
      for (int i = 0; i < op.sites().size(); i++) {
        PatchSite site = op.sites().get(i);
        assertEquals(group, site.group());
        int held = current.getOrDefault(site.address(), site.oldWord());
        assertEquals(held, op.oldWords()[i]);
        assertEquals(site.other(held), op.newWords()[i]);
        current.put(site.address(), op.newWords()[i]);
      }
      long groupSize = IMAGE.sites().stream().filter(x -> x.group() == group).count();
      assertEquals(groupSize, op.sites().size());
    }
    long[] t = s.interruptTimes();
    for (int i = 1; i < t.length; i++) {
      assertTrue(t[i] > t[i - 1] && t[i] < START + 1_800_000);
    }
  }

  @Test
  void stopMachinePatchesAGroupSiteBySiteInOneInterrupt() {
    PatchSchedule s = PatchSchedule.plan(IMAGE, 3, START, 2_000_000, 20, Protocol.STOP_MACHINE, EventStyle.NONE);
    assertEquals(36, s.interruptTimes().length);
    int chains = 0;
    for (int i = 0; i < s.ops().size(); i++) {
      PatchOp op = s.ops().get(i);
      assertEquals(1, op.sites().size());
      if (!op.chained()) {
        chains++;
      } else {
        assertEquals(op.time(), s.ops().get(i + 1).time());
        assertEquals(op.sites().get(0).group(), s.ops().get(i + 1).sites().get(0).group());
      }
    }
    assertEquals(36, chains);
    assertTrue(s.ops().size() > 36, "some group has several sites: " + s.ops().size());
  }

  @Test
  void queueEncodingIsWhatThePatcherReads() {
    PatchSchedule s = PatchSchedule.plan(IMAGE, 5, START, 1_000_000, 10, Protocol.BRK_EMULATE, EventStyle.PRE_POST);
    ByteBuffer q = ByteBuffer.wrap(s.queue()).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(s.ops().size() * Layout.OP_SIZE, q.capacity());
    for (PatchOp op : s.ops()) {
      int base = op.index() * Layout.OP_SIZE;
      assertEquals(Layout.PROTO_BRK, q.getLong(base + Layout.OP_PROTOCOL));
      assertEquals(Layout.STYLE_PRE_POST, q.getLong(base + Layout.OP_STYLE));
      assertEquals(op.sites().size(), q.getLong(base + Layout.OP_NSITES));
      assertEquals(0, q.getLong(base + Layout.OP_CHAIN));
      for (int i = 0; i < op.sites().size(); i++) {
        PatchSite site = op.sites().get(i);
        int e = base + Layout.OP_SITES + i * Layout.OP_SITE_SIZE;
        assertEquals(site.address(), q.getLong(e + Layout.SITE_ADDR));
        assertEquals(op.oldWords()[i], q.getInt(e + Layout.SITE_OLD));
        assertEquals(op.newWords()[i], q.getInt(e + Layout.SITE_NEW));
        assertEquals(site.index(), q.getInt(e + Layout.SITE_INDEX));
        // BRK #(0x100 + index)
        assertEquals(0xD4200000 | (0x100 + site.index()) << 5, q.getInt(e + Layout.SITE_BRK));
        assertEquals(site.emulationAction(op.newWords()[i]), q.getLong(e + Layout.SITE_ACTION));
        assertEquals(site.emulationTarget(op.newWords()[i]), q.getLong(e + Layout.SITE_TARGET));
      }
    }
    List<PatchOp> none = PatchSchedule.plan(IMAGE, 5, START, 1_000_000, 0, Protocol.NOSYNC, EventStyle.NONE).ops();
    assertEquals(0, none.size());
  }
}
