package dev.tracepoke.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracepoke.decode.flow.FlowSink;
import dev.tracepoke.decode.image.MemoryImage;
import dev.tracepoke.decode.image.PatchSites;
import dev.tracepoke.decode.pipeline.CoreDecoderFactory;
import dev.tracepoke.decode.pipeline.Decoding;
import dev.tracepoke.decode.input.KernelTables;
import dev.tracepoke.decode.input.TraceInput;
import dev.tracepoke.kallsyms.Kallsyms;
import dev.tracepoke.vmlinux.PatchTables;
import it.unimi.dsi.fastutil.longs.LongOpenHashSet;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.LongFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tracepoke sites [REC] [--vmlinux ELF] [--json]}: every place where the kernel may change
 * its text: the jump-label and ftrace sites of the vmlinux's tables, and with a recording the
 * kprobes its trace shows (a BRK exception where the image holds no BRK).
 */
@Command(name = "sites", mixinStandardHelpOptions = true, description = {
    "List the kernel's patch sites: jump labels (__jump_table) and ftrace call sites (the mcount table) from the"
        + " vmlinux, and with REC the kprobes its trace shows (BRK exceptions where kcore holds no BRK).",
    "Each site: address, kind (jump_label, ftrace, kprobe), symbol+offset, and the words it may hold."})
final class SitesCommand implements Callable<Integer> {
  /** BRK #4, arm64's KPROBES_BRK_IMM: the word an armed kprobe holds. */
  static final int KPROBE_BRK = 0xd4200080;
  /** ETMv4 exception type of a BRK: instruction debug. */
  private static final int EXC_INST_DEBUG = 6;

  @Spec CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "REC",
      description = "A perf directory (its vmlinux, kcore and trace); optional with --vmlinux.")
  Path recording;

  @Mixin InputOptions input = new InputOptions();

  @picocli.CommandLine.Mixin SharedOptions.Json output = new SharedOptions.Json();

  @picocli.CommandLine.Mixin SharedOptions.Threads threading = new SharedOptions.Threads();

  /** One listed site. */
  record Row(long address, String kind, String symbol, int[] words) {}

  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    if (recording == null && input.vmlinux == null) {
      err.println("tracepoke sites: give a recording REC, or --vmlinux ELF, or both");
      return 2;
    }
    List<Row> rows = recording == null ? fromVmlinux(input.vmlinux) : fromRecording(err);
    if (rows == null) {
      return 1;
    }
    PrintWriter out = spec.commandLine().getOut();
    if (output.json) {
      out.println(json(rows));
    } else {
      out.printf("%-18s  %-10s  %-40s  %s%n", "address", "kind", "symbol", "words");
      for (Row r : rows) {
        StringBuilder w = new StringBuilder();
        for (int x : r.words()) {
          w.append(w.length() == 0 ? "" : " ").append(String.format("%08x", x));
        }
        out.printf("%016x  %-10s  %-40s  %s%n", r.address(), r.kind(), r.symbol(), w);
      }
    }
    out.flush();
    return 0;
  }

  /** The tables alone, at link addresses, named by the vmlinux's own symbols. */
  private static List<Row> fromVmlinux(Path file) throws IOException {
    PatchTables t = PatchTables.read(KernelTables.locate(null, file).orElseThrow());
    List<Kallsyms.Symbol> syms = new ArrayList<>();
    for (Map.Entry<String, Long> e : t.symbols().entrySet()) {
      syms.add(new Kallsyms.Symbol(e.getValue(), 'T', e.getKey(), null));
    }
    syms.sort(Comparator.comparingLong(Kallsyms.Symbol::address).thenComparing(Kallsyms.Symbol::name));
    Kallsyms ks = Kallsyms.of(syms);
    List<String> warnings = new ArrayList<>();
    PatchSites sites = KernelTables.sites(t, null, warnings);
    List<Row> rows = new ArrayList<>();
    for (PatchSites.Site s : sites.sites()) {
      rows.add(new Row(s.address(), s.kind().id(), symbol(ks::lookup, s.address()), s.words()));
    }
    return rows;
  }

  /** The recording's sites at run-time addresses, plus the kprobes its trace shows. */
  private List<Row> fromRecording(PrintWriter err) throws IOException {
    TraceInput in = Inputs.open(recording, input, spec);
    MemoryImage image = in.image();
    List<Row> rows = new ArrayList<>();
    LongOpenHashSet listed = new LongOpenHashSet();
    for (PatchSites.Site s : in.sites().sites()) {
      int[] words = s.words();
      long now = image.read32(s.address());
      if (now != MemoryImage.NOT_MAPPED && !contains(words, (int) now)) {
        words = java.util.Arrays.copyOf(words, words.length + 1);
        words[words.length - 1] = (int) now; // kcore holds neither table word (e.g. a BRK)
      }
      rows.add(new Row(s.address(), s.kind().id(), name(in.symbols(), s.address()), words));
      listed.add(s.address());
    }
    if (in.sites().isEmpty()) {
      err.println("tracepoke sites: " + recording + ": no vmlinux, so no jump-label or ftrace site is known;"
          + " listing the kprobes the trace shows");
    }
    LongOpenHashSet kprobes = new LongOpenHashSet();
    List<Decoding.CoreResult> decoded = Decoding.run(in, CoreDecoderFactory.WINDOWS, null, threading.threads);
    FlowSink brks = new FlowSink.Ignoring() {
      @Override
      public void exception(int cpu, int number, long returnAddress, long timeFrom, long timeTo, long offset) {
        if (number != EXC_INST_DEBUG || listed.contains(returnAddress)) {
          return;
        }
        long w = image.read32(returnAddress);
        if (w != MemoryImage.NOT_MAPPED && (w & 0xffe0001fL) != 0xd4200000L) {
          kprobes.add(returnAddress); // a BRK was there, but the image holds another word
        }
      }
    };
    for (Decoding.CoreResult r : decoded) {
      for (int i = 0; i < r.flow().size(r.cpu()); i++) {
        r.flow().replay(r.cpu(), i, brks);
      }
    }
    for (long a : kprobes) {
      rows.add(new Row(a, PatchSites.Kind.KPROBE.id(), name(in.symbols(), a),
          new int[] {(int) image.read32(a), KPROBE_BRK}));
    }
    rows.sort(Comparator.comparingLong(Row::address));
    return rows;
  }

  private static boolean contains(int[] a, int v) {
    for (int x : a) {
      if (x == v) {
        return true;
      }
    }
    return false;
  }

  private static String name(LongFunction<String> symbols, long a) {
    String s = symbols.apply(a);
    return s == null ? "[unknown]" : s;
  }

  private static String symbol(java.util.function.LongFunction<java.util.Optional<Kallsyms.Hit>> lookup, long a) {
    return lookup.apply(a).map(h -> h.offset() == 0 ? h.name() : h.name() + "+0x" + Long.toHexString(h.offset()))
        .orElse("[unknown]");
  }

  static String json(List<Row> rows) {
    ObjectMapper m = new ObjectMapper();
    ObjectNode root = m.createObjectNode();
    ArrayNode sites = root.putArray("sites");
    for (Row r : rows) {
      ObjectNode o = sites.addObject();
      o.put("address", "0x" + Long.toHexString(r.address()));
      o.put("kind", r.kind());
      o.put("symbol", r.symbol());
      ArrayNode w = o.putArray("words");
      for (int x : r.words()) {
        w.add(String.format("0x%08x", x));
      }
    }
    try {
      return m.writeValueAsString(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
