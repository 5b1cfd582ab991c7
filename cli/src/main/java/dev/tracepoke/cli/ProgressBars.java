package dev.tracepoke.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Option;

/**
 * Progress of long work on stderr (work done, rate, time left), drawn by me.tongfei:progressbar
 * only when stderr is a terminal and the user did not say {@code --no-progress}: stdout never
 * sees it, and a redirected stderr gets nothing.
 */
final class ProgressBars {
  private ProgressBars() {}

  /** {@code --no-progress}, a mixin for every command that shows progress. */
  static final class Switch {
    @Option(names = "--no-progress",
        description = "Draw no progress bar on stderr (none is drawn either when stderr is not a terminal).")
    boolean off;

    /** A bar for {@code max} units of work, or one that draws nothing. */
    Bar start(String task, long max, String unit, long unitSize) {
      return off || !stderrIsTerminal() ? NONE : draw(System.err, width(), task, max, unit, unitSize);
    }
  }

  /** One bar; every method is safe from any thread. */
  interface Bar extends AutoCloseable {
    void step(long n);

    void stepTo(long n);

    /** Text shown after the bar (what is being done). */
    void say(String what);

    @Override
    void close();
  }

  static final Bar NONE = new Bar() {
    @Override
    public void step(long n) {}

    @Override
    public void stepTo(long n) {}

    @Override
    public void say(String what) {}

    @Override
    public void close() {}
  };

  /** A bar drawn on {@code to}, {@code width} characters wide, whatever {@code to} is. */
  static Bar draw(PrintStream to, int width, String task, long max, String unit, long unitSize) {
    ProgressBar pb = new ProgressBarBuilder()
        .setTaskName(task)
        .setInitialMax(max)
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(250)
        .setUnit(unit, unitSize)
        .showSpeed()
        // an explicit width: the library then needs no terminal library to measure one
        .setConsumer(new ConsoleProgressBarConsumer(to, width))
        .build();
    return new Bar() {
      @Override
      public void step(long n) {
        pb.stepBy(n);
      }

      @Override
      public void stepTo(long n) {
        pb.stepTo(n);
      }

      @Override
      public void say(String what) {
        pb.setExtraMessage(" " + what);
      }

      @Override
      public void close() {
        pb.stepTo(Math.max(pb.getCurrent(), pb.getMax()));
        pb.close();
      }
    };
  }

  /** Whether file descriptor 2 is a terminal (Linux: what /proc/self/fd/2 points to). */
  static boolean stderrIsTerminal() {
    if ("dumb".equals(System.getenv("TERM"))) {
      return false;
    }
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
    } catch (Exception e) {
      return false; // not Linux, or not readable: no bar
    }
  }

  private static int width() {
    try {
      int c = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "100"));
      return Math.max(40, c - 1);
    } catch (NumberFormatException e) {
      return 99;
    }
  }
}
