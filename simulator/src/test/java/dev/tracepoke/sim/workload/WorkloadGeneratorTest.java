package dev.tracepoke.sim.workload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tracepoke.kallsyms.Kallsyms;
import dev.tracepoke.sim.asm.A64;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkloadGeneratorTest {
  private static final KernelImage IMAGE = new WorkloadGenerator(7, 200, 4).generate();

  /** Handlers and helpers every image has besides the generated functions and _text/_etext. */
  private static final List<String> FIXED = List.of(
      "vectors", "bad_vector", "panic", "el0_sync", "bad_sync", "el1_sync", "kprobe_breakpoint_handler",
      "patch_emulate_handler", "el1_irq", "el0_irq", "gic_handle_irq", "do_tick", "multi_cpu_stop", "ipi_kick",
      "aarch64_insn_patcher", "aarch64_insn_verify", "aarch64_insn_patch_text_nosync", "aarch64_insn_arm_brk",
      "stop_other_cpus", "kick_all_cpus_sync", "ftrace_caller", "secondary_entry", "kprobe_insn_slots");

  @Test
  void sameSeedSameImageOtherSeedOtherImage() {
    KernelImage again = new WorkloadGenerator(7, 200, 4).generate();
    assertArrayEquals(IMAGE.text(), again.text());
    assertArrayEquals(IMAGE.userText(), again.userText());
    assertArrayEquals(IMAGE.data(), again.data());
    assertEquals(IMAGE.symbols(), again.symbols());
    assertEquals(IMAGE.sites(), again.sites());
    KernelImage other = new WorkloadGenerator(8, 200, 4).generate();
    assertFalse(java.util.Arrays.equals(IMAGE.text(), other.text()));
  }

  @Test
  void everyFunctionHasAKallsymsEntryAndEveryCallLandsOnOne() {
    Kallsyms k = IMAGE.kallsyms();
    assertEquals(200 + FIXED.size() + 2, k.size());
    Set<String> names = new HashSet<>();
    Set<Long> starts = new HashSet<>();
    for (Kallsyms.Symbol s : IMAGE.symbols()) {
      assertTrue(names.add(s.name()), "duplicate symbol " + s.name());
      starts.add(s.address());
    }
    for (String f : FIXED) {
      assertTrue(names.contains(f), f);
    }
    assertEquals(IMAGE.base(), k.addressOf("_text").getAsLong());
    assertEquals(IMAGE.base() + 4L * IMAGE.textWords(), k.addressOf("_etext").getAsLong());
    int[] text = IMAGE.text();
    int bls = 0;
    for (int i = 0; i < text.length; i++) {
      if ((text[i] & 0xFC000000) == 0x94000000) {
        long pc = IMAGE.base() + 4L * i;
        long target = pc + (((long) text[i] << 38) >> 36);
        assertTrue(starts.contains(target), String.format("BL at 0x%x to 0x%x, not a symbol", pc, target));
        bls++;
      }
    }
    assertTrue(bls > 200, "direct calls: " + bls);
    // sys_call_table and the function-pointer tables hold function entries only
    ByteBuffer d = ByteBuffer.wrap(IMAGE.data()).order(ByteOrder.LITTLE_ENDIAN);
    for (int s = 0; s < 8; s++) {
      assertTrue(starts.contains(d.getLong(Layout.SYS_CALL_TABLE + 8 * s)));
    }
    for (int e = 0; e < 200 / 16 * Layout.FPTR_TABLE_ENTRIES; e++) {
      assertTrue(starts.contains(d.getLong(Layout.FPTR_TABLES + 8 * e)));
    }
  }

  @Test
  void vectorTableBranchesToTheFourHandlersAndTrapsTheRest() {
    Kallsyms k = IMAGE.kallsyms();
    Map<Integer, String> used = Map.of(0x200, "el1_sync", 0x280, "el1_irq", 0x400, "el0_sync", 0x480, "el0_irq");
    assertEquals(0, IMAGE.vectors() & 0x7ff);
    for (int v = 0; v < 0x800; v += 0x80) {
      long at = IMAGE.vectors() + v;
      long target = k.addressOf(used.getOrDefault(v, "bad_vector")).getAsLong();
      assertEquals(A64.b(target - at), IMAGE.word(at), String.format("vector +0x%x", v));
      for (int w = 4; w < 0x80; w += 4) {
        assertEquals(A64.brk(0x800), IMAGE.word(at + w));
      }
    }
  }

  @Test
  void everyPatchSiteHoldsItsOldWordAndFlipsToTheExpectedNewWord() {
    Kallsyms k = IMAGE.kallsyms();
    long ftraceCaller = k.addressOf("ftrace_caller").getAsLong();
    Map<PatchKind, Integer> count = new EnumMap<>(PatchKind.class);
    Map<Integer, Integer> groupSizes = new HashMap<>();
    ByteBuffer d = ByteBuffer.wrap(IMAGE.data()).order(ByteOrder.LITTLE_ENDIAN);
    int kprobe = 0;
    for (PatchSite s : IMAGE.sites()) {
      count.merge(s.kind(), 1, Integer::sum);
      groupSizes.merge(s.group(), 1, Integer::sum);
      assertEquals(s.oldWord(), IMAGE.word(s.address()));
      assertEquals(s.function(), k.lookup(s.address()).get().name());
      switch (s.kind()) {
        case STATIC_KEY -> {
          assertEquals(A64.nop(), s.oldWord());
          assertEquals(0x14000000, s.newWord() & 0xFC000000);
          long ool = s.emulationTarget(s.newWord());
          // the out-of-line block lies after the function body and branches back behind the site
          long at = ool;
          while ((IMAGE.word(at) & 0xFC000000) != 0x14000000) {
            at += 4;
          }
          assertEquals(A64.b(s.address() + 4 - at), IMAGE.word(at));
          assertEquals(Layout.ACT_B, s.emulationAction(s.newWord()));
          assertEquals(Layout.ACT_NOP, s.emulationAction(s.oldWord()));
        }
        case FTRACE -> {
          assertEquals(A64.nop(), s.oldWord());
          assertEquals(A64.bl(ftraceCaller - s.address()), s.newWord());
          assertEquals(A64.mov(A64.x(9), A64.x(30)), IMAGE.word(s.address() - 4));
          assertEquals(s.address() - 4, k.addressOf(s.function()).getAsLong());
          assertEquals(ftraceCaller, s.emulationTarget(s.newWord()));
        }
        case KPROBE -> {
          assertEquals(0x91000000, s.oldWord() & 0xFFC00000, "ADD (immediate)");
          assertEquals(0xD4200080, s.newWord(), "BRK #0x4");
          assertEquals(s.oldWord(), IMAGE.word(s.slot()));
          assertEquals(A64.b(s.address() + 4 - (s.slot() + 4)), IMAGE.word(s.slot() + 4));
          assertEquals(s.address(), d.getLong(Layout.KPROBE_TABLE + 16 * kprobe));
          assertEquals(s.slot(), d.getLong(Layout.KPROBE_TABLE + 16 * kprobe + 8));
          assertEquals(Layout.ACT_KPROBE, s.emulationAction(s.newWord()));
          assertEquals(Layout.ACT_XOL, s.emulationAction(s.oldWord()));
          kprobe++;
        }
      }
    }
    assertEquals(Map.of(PatchKind.STATIC_KEY, 93, PatchKind.FTRACE, 54, PatchKind.KPROBE, 8), count);
    assertTrue(groupSizes.values().stream().anyMatch(n -> n > 1), "some static key has several sites");
    assertTrue(groupSizes.values().stream().allMatch(n -> n <= 3));
  }

  /** GNU objdump reads every text word as a real A64 instruction and agrees on the sites' words. */
  @Test
  void objdumpDecodesTheWholeImage(@TempDir Path tmp) throws Exception {
    String objdump = "aarch64-linux-gnu-objdump";
    assumeTrue(onPath(objdump), objdump + " not installed: skipping the objdump check");
    Path bin = tmp.resolve("text.bin");
    Files.write(bin, IMAGE.textBytes());
    List<String> lines = run(objdump, "-D", "-b", "binary", "-m", "aarch64",
        "--adjust-vma=0x" + Long.toHexString(IMAGE.base()), bin.toString());
    Map<Long, String> insn = new HashMap<>();
    for (String l : lines) {
      String[] f = l.trim().split("\t");
      if (f.length >= 3 && f[0].endsWith(":") && f[0].startsWith("ffff")) {
        insn.put(Long.parseUnsignedLong(f[0].substring(0, f[0].length() - 1), 16), f[2] + (f.length > 3 ? " " + f[3] : ""));
      }
    }
    assertEquals(IMAGE.textWords(), insn.size());
    for (Map.Entry<Long, String> e : insn.entrySet()) {
      assertFalse(e.getValue().startsWith(".inst") || e.getValue().startsWith("udf"),
          String.format("0x%x: %s", e.getKey(), e.getValue()));
    }
    for (PatchSite s : IMAGE.sites()) {
      String text = insn.get(s.address());
      switch (s.kind()) {
        case STATIC_KEY, FTRACE -> assertEquals("nop", text);
        case KPROBE -> assertTrue(text.startsWith("add\t") || text.startsWith("add "), text);
      }
    }
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  private static List<String> run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    List<String> out = new ArrayList<>(new String(p.getInputStream().readAllBytes()).lines().toList());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), String.join("\n", out));
    return out;
  }
}
