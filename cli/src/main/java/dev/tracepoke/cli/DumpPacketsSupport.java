package dev.tracepoke.cli;

import dev.tracepoke.decode.input.PacketListing;
import dev.tracepoke.snapshot.SnapshotFormatException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code --packets} part of {@code tracepoke dump REC}: lists every ETMv4 packet of REC (an
 * OpenCSD snapshot directory, a perf recording directory or a perf.data file) with {@link
 * PacketListing}. DumpCommand calls {@link #dumpPackets} when {@code --packets} is given; the
 * listing goes to {@code out}, a summary and any problem to {@code err}.
 */
final class DumpPacketsSupport {

  private DumpPacketsSupport() {}

  /**
   * Lists the packets of {@code rec}.
   *
   * @return the exit code: 0 listed, 1 REC is unreadable, not a recording, or holds no trace that
   *     can be listed
   */
  static int dumpPackets(Path rec, PrintWriter out, PrintWriter err) {
    if (!Files.exists(rec)) {
      err.println("tracepoke dump: " + rec + " does not exist");
      return 1;
    }
    try {
      BufferedWriter buffered = new BufferedWriter(out, 1 << 16);
      PacketListing.Summary s = PacketListing.list(rec, buffered);
      buffered.flush();
      out.flush();
      for (PacketListing.Stream st : s.streams()) {
        err.println("tracepoke dump: " + st.label() + ": " + st.packets() + " packets in " + st.bytes() + " bytes");
      }
      String in = " (" + rec + ")"; // every message names what it is about
      for (String skipped : s.skipped()) {
        err.println("tracepoke dump: skipped " + skipped + (skipped.contains(rec.toString()) ? "" : in));
      }
      for (String w : s.warnings()) {
        err.println("tracepoke dump: warning: " + w + (w.contains(rec.toString()) ? "" : in));
      }
      if (s.streams().isEmpty()) {
        err.println("tracepoke dump: " + rec + ": no trace that tracepoke can list");
        return 1;
      }
      return 0;
    } catch (IOException | UncheckedIOException | SnapshotFormatException e) {
      out.flush();
      err.println("tracepoke dump: " + e.getMessage());
      return 1;
    }
  }
}
