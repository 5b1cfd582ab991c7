package dev.tracepoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BenchCommandTest {
  @Test
  void simulatePrintsItsFigure() {
    StringWriter out = new StringWriter();
    CommandLine cl = Tracepoke.commandLine();
    cl.setOut(new PrintWriter(out, true));
    assertEquals(0, cl.execute("bench", "simulate", "--warmup", "0", "--instructions", "1000000"));
    // one core runs slices of 2^20 cycles, so the budget is met after the first slice
    assertTrue(out.toString().matches("simulate: 1048576 instructions in \\d+\\.\\d{3} s = \\d+\\.\\d M instructions/s\n"),
        out.toString());
  }

  @Test
  void benchAloneListsItsSubcommands() {
    StringWriter out = new StringWriter();
    CommandLine cl = Tracepoke.commandLine();
    cl.setOut(new PrintWriter(out, true));
    assertEquals(0, cl.execute("bench"));
    assertTrue(out.toString().contains("simulate"), out.toString());
  }
}
