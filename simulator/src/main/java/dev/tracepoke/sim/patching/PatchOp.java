package dev.tracepoke.sim.patching;

import dev.tracepoke.sim.scenario.EventStyle;
import dev.tracepoke.sim.scenario.Protocol;
import dev.tracepoke.sim.workload.Layout;
import dev.tracepoke.sim.workload.PatchSite;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * One patch operation the patching core runs: a set of sites switched by one protocol run.
 *
 * @param index position in the queue (and in {@link PatchSchedule#ops()})
 * @param time when its patch interrupt is raised (chained operations share the first one's)
 * @param protocol how it is made visible
 * @param events which records it emits
 * @param sites the sites it switches
 * @param oldWords the word each site holds before the operation
 * @param newWords the word each site holds after it
 * @param chained true when the patching core runs the next operation in the same interrupt
 */
public record PatchOp(int index, long time, Protocol protocol, EventStyle events, List<PatchSite> sites,
    int[] oldWords, int[] newWords, boolean chained) {

  /** The guest's protocol code (stop-machine and its batched form run the same code). */
  public int protocolCode() {
    return switch (protocol) {
      case STOP_MACHINE, STOP_MACHINE_BATCH -> Layout.PROTO_STOP;
      case NOSYNC -> Layout.PROTO_NOSYNC;
      case NOSYNC_KICK -> Layout.PROTO_KICK;
      case BRK_EMULATE -> Layout.PROTO_BRK;
      case BRK_EMULATE_NO_FIRST_SYNC -> Layout.PROTO_BRK_NO_FIRST_SYNC;
    };
  }

  public int styleCode() {
    return switch (events) {
      case NONE -> Layout.STYLE_NONE;
      case TEXT_POKE -> Layout.STYLE_LANDED;
      case PRE_POST -> Layout.STYLE_PRE_POST;
    };
  }

  /** The operation as the guest reads it from the patch queue ({@link Layout#OP_SIZE} bytes). */
  public void encode(ByteBuffer queue) {
    int base = index * Layout.OP_SIZE;
    queue.putLong(base + Layout.OP_PROTOCOL, protocolCode());
    queue.putLong(base + Layout.OP_STYLE, styleCode());
    queue.putLong(base + Layout.OP_NSITES, sites.size());
    queue.putLong(base + Layout.OP_CHAIN, chained ? 1 : 0);
    for (int i = 0; i < sites.size(); i++) {
      PatchSite s = sites.get(i);
      int e = base + Layout.OP_SITES + i * Layout.OP_SITE_SIZE;
      queue.putLong(e + Layout.SITE_ADDR, s.address());
      queue.putInt(e + Layout.SITE_OLD, oldWords[i]);
      queue.putInt(e + Layout.SITE_NEW, newWords[i]);
      queue.putInt(e + Layout.SITE_INDEX, s.index());
      queue.putInt(e + Layout.SITE_BRK, 0xD4200000 | (Layout.BRK_EMULATE_BASE + s.index()) << 5);
      queue.putLong(e + Layout.SITE_ACTION, s.emulationAction(newWords[i]));
      queue.putLong(e + Layout.SITE_TARGET, s.emulationTarget(newWords[i]));
    }
  }
}
