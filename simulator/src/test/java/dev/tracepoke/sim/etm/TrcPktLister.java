package dev.tracepoke.sim.etm;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs OpenCSD's {@code trc_pkt_lister} (1.3.3) on a snapshot directory and parses its lines. */
final class TrcPktLister {

  /** A packet line: byte index, raw bytes as printed ("0x00 0x80 "), name, the text after it. */
  record PacketLine(long idx, String raw, String name, String rest) {}

  /** A generic element line: index of the packet that produced it, element type, its fields. */
  record ElementLine(long idx, String type, String body) {}

  record Output(List<PacketLine> packets, List<ElementLine> elements, List<String> errors, String text) {}

  private static final Pattern PACKET =
      Pattern.compile("^Idx:(\\d+); ID:[0-9a-f]+;(?: \\[((?:0x[0-9a-f]{2} )*)\\];)?\\t(I_\\w+) : (.*)$");
  private static final Pattern ELEMENT =
      Pattern.compile("^Idx:(\\d+); ID:[0-9a-f]+; OCSD_GEN_TRC_ELEM_(\\w+)\\((.*)\\)\\s*$");

  private TrcPktLister() {}

  /** The binary on PATH, if installed. */
  static Optional<Path> binary() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path p = Path.of(dir, "trc_pkt_lister");
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /**
   * Lists (and with {@code decode}, decodes) the snapshot. Output goes to stdout only: the 1.3.3
   * tool otherwise appends everything to ./trc_pkt_lister.ppl, so it runs inside the snapshot dir.
   */
  static Output run(Path lister, Path ssDir, boolean decode) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(lister.toString(), "-ss_dir", ssDir.toAbsolutePath().toString()));
    if (decode) {
      cmd.add("-decode");
    }
    cmd.addAll(List.of("-logstdout", "-logfilename", "/dev/null"));
    Path out = ssDir.resolve(decode ? "decode.txt" : "packets.txt");
    Process p = new ProcessBuilder(cmd).directory(ssDir.toFile()).redirectErrorStream(true)
        .redirectOutput(out.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("trc_pkt_lister did not finish in 120 s on " + ssDir);
    }
    String text = Files.readString(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException("trc_pkt_lister exited " + p.exitValue() + " on " + ssDir + ":\n" + text);
    }
    return parse(text);
  }

  static Output parse(String text) {
    List<PacketLine> packets = new ArrayList<>();
    List<ElementLine> elements = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    for (String line : text.split("\n")) {
      Matcher m = PACKET.matcher(line);
      if (m.matches()) {
        packets.add(new PacketLine(Long.parseLong(m.group(1)), m.group(2) == null ? "" : m.group(2), m.group(3), m.group(4)));
        continue;
      }
      m = ELEMENT.matcher(line);
      if (m.matches()) {
        elements.add(new ElementLine(Long.parseLong(m.group(1)), m.group(2), m.group(3)));
        continue;
      }
      if (line.contains("OCSD_ERR") || line.contains("I_BAD") || line.contains("ERROR")) {
        errors.add(line);
      }
    }
    return new Output(packets, elements, errors, text);
  }
}
