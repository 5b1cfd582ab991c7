package dev.tracepoke.sim.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenarioTest {

  @Test
  void defaultScenarioIsFourCoresNosyncWithPrePostRecords() {
    Scenario s = Scenario.builtin("default");
    assertEquals(4, s.cores());
    assertEquals(Protocol.NOSYNC, s.protocol());
    assertEquals(EventStyle.PRE_POST, s.events());
    assertEquals(100_000, s.timerPeriodNanos());
    assertEquals(0.0, Scenario.builtin("static").pokesPerMilli());
  }

  @Test
  void jsonRoundTripKeepsEveryField(@TempDir Path dir) throws IOException {
    Scenario s = Scenario.builtin("default").withSeed(42).withCores(2)
        .withProtocol(Protocol.BRK_EMULATE_NO_FIRST_SYNC).withEvents(EventStyle.TEXT_POKE);
    Path f = dir.resolve("s.json");
    Files.writeString(f, s.toJson());
    assertEquals(s, Scenario.load(f));
    assertEquals(s, Scenario.resolve(f.toString()));
    String json = s.toJson();
    assertEquals(true, json.contains("\"protocol\" : \"brk-emulate-nofirstsync\""), json);
    assertEquals(true, json.contains("\"events\" : \"text-poke\""), json);
  }

  @Test
  void protocolNamesAreTheCommandLineNames() {
    assertEquals("stop-machine", Protocol.STOP_MACHINE.id());
    assertEquals(Protocol.NOSYNC_KICK, Protocol.of("nosync-kick"));
    assertEquals(Protocol.STOP_MACHINE_BATCH, Protocol.of("stop-machine-batch"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Protocol.of("int3"));
    assertEquals("unknown protocol 'int3' (expected one of stop-machine, nosync, nosync-kick, "
        + "brk-emulate, brk-emulate-nofirstsync, stop-machine-batch)", e.getMessage());
  }

  @Test
  void badFilesNameTheProblem(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("bad.json");
    Files.writeString(f, Scenario.builtin("static").toJson().replace("\"cores\" : 4", "\"cores\" : 65"));
    IOException e = assertThrows(IOException.class, () -> Scenario.load(f));
    assertEquals(true, e.getMessage().contains("scenario: cores must be 1..64, got 65"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Scenario.builtin("nope"));
  }

  @Test
  void bytesThatAreNoTextNameTheSource() {
    // found by ScenarioFuzzTest: Jackson takes 01 00 00 00 for UTF-32 and fails outside JSON parsing
    byte[] json = {1, 0, 0, 0, 0, 0, 0, 0, 0x65, 0x22, 0x3a, 0x20, 0x22, 0x62, 0x72, 0x6b};
    java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
        () -> Scenario.parse(json, "s.json"));
    assertEquals("s.json: not a valid scenario: Invalid UTF-32 character 0x20392265 (above 0x0010ffff) at char #2,"
        + " byte #11)", e.getMessage());
  }
}
