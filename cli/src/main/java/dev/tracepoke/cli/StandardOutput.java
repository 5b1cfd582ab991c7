package dev.tracepoke.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Where a command's bulk output (decoded flow) goes: straight to file descriptor 1 when the command
 * line is the process's own ({@link Tracepoke#main}), so large outputs pass no encoder and few system
 * calls; otherwise through picocli's writer, which tests replace to capture what a command prints.
 */
final class StandardOutput {
  private StandardOutput() {}

  /** The channel to write to; not to be closed (closing would close standard output). */
  static WritableByteChannel of(CommandSpec spec) {
    PrintWriter w = spec.commandLine().getOut();
    w.flush();
    if (spec.root().userObject() instanceof Tracepoke t && t.ownsStandardOutput()) {
      System.out.flush();
      return new FileOutputStream(FileDescriptor.out).getChannel();
    }
    return new WriterChannel(w);
  }

  /** UTF-8 bytes into a writer; a character split between two writes is completed by the next. */
  private static final class WriterChannel implements WritableByteChannel {
    private final PrintWriter w;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    private ByteBuffer carry = ByteBuffer.allocate(0);
    private CharBuffer chars = CharBuffer.allocate(8192);

    WriterChannel(PrintWriter w) {
      this.w = w;
    }

    @Override
    public int write(ByteBuffer src) {
      int n = src.remaining();
      ByteBuffer in = src;
      if (carry.hasRemaining()) {
        in = ByteBuffer.allocate(carry.remaining() + n).put(carry).put(src).flip();
      }
      while (true) {
        chars.clear();
        var r = utf8.decode(in, chars, false);
        chars.flip();
        w.append(chars);
        if (r.isUnderflow()) {
          break;
        }
      }
      carry = ByteBuffer.allocate(in.remaining()).put(in).flip();
      src.position(src.limit());
      w.flush();
      return n;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {
      w.flush();
    }
  }
}
