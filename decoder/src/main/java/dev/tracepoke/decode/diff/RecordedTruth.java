package dev.tracepoke.decode.diff;

import dev.tracepoke.truth.TruthEvent;
import dev.tracepoke.truth.TruthReader;
import java.io.IOException;
import java.nio.file.Path;

/** The simulator's ground truth directory ({@code REC/truth}) as the diff reads it. */
public final class RecordedTruth {
  private RecordedTruth() {}

  /** Opens {@code truthDir}; each {@link Diff.TruthSource#open} streams one core's file. */
  public static Diff.TruthSource open(Path truthDir) throws IOException {
    TruthReader reader = TruthReader.open(truthDir);
    return cpu -> {
      if (cpu < 0 || cpu >= reader.cores()) {
        throw new IOException(truthDir + ": no ground truth for cpu " + cpu + " (it has "
            + reader.cores() + " cores)");
      }
      return new Adapter(reader.cursor(cpu));
    };
  }

  private static final class Adapter implements TruthCursor {
    private final dev.tracepoke.truth.TruthCursor c;
    private int kind;

    Adapter(dev.tracepoke.truth.TruthCursor c) {
      this.c = c;
    }

    @Override
    public int next() throws IOException {
      kind = c.next();
      return switch (kind) {
        case TruthEvent.RUN -> RUN;
        case TruthEvent.PATCH_SITE -> PATCH_SITE;
        case TruthEvent.EXCEPTION -> EXCEPTION;
        case TruthEvent.EXCEPTION_RETURN -> EXCEPTION_RETURN;
        case TruthEvent.UNTRACED -> UNTRACED;
        default -> {
          c.close();
          yield END;
        }
      };
    }

    @Override
    public long pc() {
      return kind == TruthEvent.RUN ? c.startPc() : c.pc();
    }

    @Override
    public int count() {
      return c.count();
    }

    @Override
    public long time() {
      return kind == TruthEvent.UNTRACED ? c.fromTime() : c.time();
    }

    @Override
    public long toTime() {
      return kind == TruthEvent.UNTRACED ? c.toTime() : c.time();
    }

    @Override
    public int word() {
      return c.word();
    }

    @Override
    public void close() throws IOException {
      c.close();
    }
  }
}
