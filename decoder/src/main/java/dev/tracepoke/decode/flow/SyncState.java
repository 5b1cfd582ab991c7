package dev.tracepoke.decode.flow;

import dev.tracepoke.decode.etm4.PacketError;

/**
 * Whether a core's trace is synchronised: nothing is decoded before an A-sync followed by a Trace
 * Info; overflow, discard, bad and unsupported packets drop sync again (with a gap).
 */
final class SyncState {
  private enum Sync {
    NO_SYNC,
    WAIT_INFO,
    SYNCED
  }

  private Sync sync = Sync.NO_SYNC;
  private boolean everSynced;
  private final Forks forks;
  private final Delivery delivery;

  SyncState(Forks forks, Delivery delivery) {
    this.forks = forks;
    this.delivery = delivery;
  }

  int ordinal() {
    return sync.ordinal();
  }

  boolean synced() {
    return sync == Sync.SYNCED;
  }

  /** True once an A-sync and a Trace Info have synchronised the stream. */
  boolean everSynced() {
    return everSynced;
  }

  void onAsync() {
    if (sync == Sync.NO_SYNC) {
      sync = Sync.WAIT_INFO;
    }
  }

  void onTraceInfo() {
    for (int k = 0; k < forks.live; k++) {
      forks.walkers[k].retFlush(); // OpenCSD empties the return stack at every Trace Info
    }
    if (sync == Sync.WAIT_INFO) {
      sync = Sync.SYNCED;
      everSynced = true;
      Walker w = forks.walkers[0];
      w.needAddress = true;
      w.naccPc = Walker.NO_NACC;
      w.needContext = true;
      w.exceptionPending = false;
      w.walkFrom = FlowSink.NO_TIME;
    } else if (sync == Sync.SYNCED) {
      onTraceOn(); // a periodic sync point: the address after it restates the pc
      for (int k = 0; k < forks.live; k++) {
        // what the address after a sync point continues may have begun before any timestamp
        // seen since (the same bound whether or not the trace before it was readable)
        forks.walkers[k].walkFrom = FlowSink.NO_TIME;
      }
    }
  }

  void onTraceOn() {
    for (int k = 0; k < forks.live; k++) {
      forks.walkers[k].addressFree = true;
      forks.walkers[k].retFlush();
    }
  }

  void loseSync(int reason, long offset) {
    forks.breakFlow(offset);
    Walker w = forks.walkers[0];
    delivery.reportDropped(w);
    if (sync == Sync.SYNCED) {
      delivery.put(w, FlowElements.GAP, reason, w.needAddress ? 0 : w.pc, 0, 0, offset,
          FlowSink.NO_TIME, FlowSink.NO_TIME);
    }
    sync = Sync.NO_SYNC;
    w.needAddress = true;
    w.naccPc = Walker.NO_NACC;
    w.needContext = true;
    w.exceptionPending = false;
    w.resyncing = false;
    w.addressFree = false;
    w.overrides = 0;
    w.qPending = false;
    w.lastWaypoint = Walker.WAY_NONE;
    w.clearCalls();
    w.retFlush();
  }

  void onBadPacket(long offset, long index, int header, long length, PacketError reason) {
    if (sync == Sync.NO_SYNC) {
      return;
    }
    forks.breakFlow(offset);
    delivery.error(forks.walkers[0], offset, index, String.format(
        "bad packet (header 0x%02x, %d bytes): %s", header, length, reason));
    loseSync(FlowSink.GAP_ERROR, offset);
  }

  /** A timestamp earlier than the one before it: impossible, so an error and a resync. */
  void timeGoesBack(long offset, long index, long from, long to) {
    if (sync == Sync.NO_SYNC) {
      return;
    }
    forks.breakFlow(offset);
    delivery.error(forks.walkers[0], offset, index, String.format(
        "timestamp %d goes back from %d: expected time never to decrease; resyncing at the next A-sync",
        to, from));
    loseSync(FlowSink.GAP_ERROR, offset);
  }

  void unsupported(long offset, long index, String what) {
    if (sync == Sync.NO_SYNC) {
      return;
    }
    forks.breakFlow(offset);
    delivery.error(forks.walkers[0], offset, index, what);
    loseSync(FlowSink.GAP_ERROR, offset);
  }
}
