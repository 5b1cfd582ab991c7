package dev.tracepoke.sim.machine;

import static dev.tracepoke.sim.asm.A64.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ObserverTeeTest {
  @Test
  void bothObserversSeeEveryCall() {
    Rig r = new Rig();
    r.m.core(0).setVbar(Rig.TEXT + 0x800);
    r.m.memory().loadWords(Rig.TEXT + 0x800 + 0x200, new int[] {eret()});
    int[] words = new int[18];
    words[0] = b(0x40);
    words[1] = svc(1);
    words[2] = Rig.STOP;
    words[16] = nop();
    words[17] = b(-0x40);
    r.m.memory().loadWords(Rig.TEXT, words);
    r.m.registerPatchSite(Rig.TEXT + 0x40);
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    r.m.core(0).setObserver(new ObserverTee(a, b));
    long t0 = MachineConfig.defaults().startTime();
    r.m.core(0).setPc(Rig.TEXT);
    r.m.run(Long.MAX_VALUE, 1000);
    assertEquals(a.lines, b.lines);
    long t = Rig.TEXT;
    assertEquals(List.of(
        String.format("I %x 1 @%d", t, t0 + 1),
        String.format("W %x k0 T -> %x @%d", t, t + 0x40, t0 + 1),
        String.format("P %x d503201f new @%d", t + 0x40, t0 + 2),
        String.format("I %x 2 @%d", t + 0x40, t0 + 3),
        String.format("W %x k0 T -> %x @%d", t + 0x44, t + 4, t0 + 3),
        String.format("I %x 1 @%d", t + 4, t0 + 4),
        String.format("E t0 ret %x vec %x el1->el1 @%d", t + 8, t + 0xA00, t0 + 4),
        String.format("I %x 1 @%d", t + 0xA00, t0 + 45),
        String.format("R %x -> %x el1 @%d", t + 0xA00, t + 8, t0 + 45),
        String.format("I %x 1 @%d", t + 8, t0 + 66)), a.lines);
  }
}
