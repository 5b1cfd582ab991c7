package dev.tracepoke.decode.etm4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.reflect.Proxy;
import java.util.List;

/**
 * Coverage-guided fuzzing of the ETMv4 packet reader: any byte stream, pushed in chunks of any size,
 * under several trace-unit configurations, must come out as a sequence of packet calls whose
 * offsets stay inside the stream and never go back, whose indices count every call, and which ends
 * with exactly one {@code end} at the stream's length. A damaged byte is an {@code error} call,
 * never an exception.
 *
 * <p>{@code mvn -B verify} replays the committed inputs in {@code PacketReaderFuzzTestInputs/};
 * {@code JAZZER_FUZZ=1} fuzzes for real (README, "Fuzzing").
 *
 * <p>ETE is this reader under an ETE configuration: {@link #CONFIGS} holds one (the ete_ip
 * snapshot's unit) and three more (timestamp markers, Q elements, commit option 1), so the
 * fuzzer reaches the ETE-only packets too; the {@code seed-ete-*} inputs are the first bytes of
 * those OpenCSD snapshots' real streams, behind a first byte that picks their unit. {@link #checkingSink} checks
 * any packet sink whose calls take {@code (offset, index, ...)}.
 */
class PacketReaderFuzzTest {

  /** Configurations of real trace units (Juno's A57/A53, an ETMv4.3, four ETE units). */
  static final List<Etm4Config> CONFIGS = List.of(
      Etm4Config.of(0x000000C1, 0x10, 0x28000EA1, 0x00000488),
      Etm4Config.of(0x00000001, 0x10, 0x28000EA1, 0x00000488),
      new Etm4Config(0x00000001, 0x10, 0x08000CA1, 0x4200F410, 0x20001088, 0, 0, 0, 0, 0, 0),
      // cycle counting, return stack, VMID and context ID tracing, all timestamps
      new Etm4Config(0x000318C1, 0x10, 0x28000EA1, 0x4100F403, 0x00000488, 0, 0, 0, 0, 0, 0),
      // ETE (TRCDEVARCH 0x47705A13) of the OpenCSD ete_ip snapshot
      Etm4Config.ete(0x1, 0x2, 0x2801CEA1, 0x4100FFF0, 0xD0001088, 0, 0x47705A13),
      // ETE 1.1 with timestamps and timestamp markers (ts_marker)
      Etm4Config.ete(0x8801, 0x1, 0x2881CEA1, 0x4100FFF0, 0xD0001088, 0, 0x47715A13),
      // ETE with Q elements (q_elem)
      Etm4Config.ete(0xA001, 0x2, 0x2801CEA1, 0x4100FFF0, 0xD0001088, 0, 0x47705A13),
      // ETE with commit option 1 and cycle counting (maxspec0_commopt1)
      Etm4Config.ete(0x8019, 0x2, 0x28000CA1, 0x5100FFF0, 0x40001088, 0, 0x47705A13));

  @FuzzTest(maxDuration = "15m")
  void packets(byte[] data) {
    if (data.length == 0) {
      return;
    }
    Etm4Config config = CONFIGS.get((data[0] & 0xFF) % CONFIGS.size());
    int chunk = 1 + ((data[0] & 0xFF) >> 2);
    long[] state = new long[4];
    PacketReader reader = new PacketReader(config, checkingSink(state, data.length - 1));
    for (int off = 1; off < data.length; off += chunk) {
      reader.push(data, off, Math.min(chunk, data.length - off));
    }
    reader.finish();
    assertEquals(1, state[3], "end called once");
    assertEquals(reader.packets(), state[1], "every call counted");
  }

  /**
   * A sink that asserts the calling contract of {@link PacketSink}; {@code state} holds the last
   * offset, the next expected index, the number of calls and the number of {@code end} calls.
   */
  static PacketSink checkingSink(long[] state, long length) {
    return (PacketSink) Proxy.newProxyInstance(PacketSink.class.getClassLoader(), new Class<?>[] {PacketSink.class},
        (proxy, method, args) -> {
          if (method.getDeclaringClass() == Object.class) {
            return method.invoke(state, args);
          }
          long offset = (Long) args[0];
          if (method.getName().equals("end")) {
            assertEquals(length, offset, "end at the stream's length");
            assertEquals(state[1], (long) (Long) args[1], "end's packet count");
            state[3]++;
            return null;
          }
          long index = (Long) args[1];
          assertTrue(offset >= state[0] && offset < length,
              method.getName() + " at offset " + offset + " after " + state[0] + " in a stream of " + length);
          assertEquals(state[1], index, method.getName() + " index");
          assertEquals(0, state[3], "no call after end");
          state[0] = offset;
          state[1]++;
          state[2]++;
          return null;
        });
  }
}
