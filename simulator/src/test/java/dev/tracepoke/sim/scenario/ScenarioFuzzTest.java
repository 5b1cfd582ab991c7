package dev.tracepoke.sim.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of scenario JSON: any text is a valid scenario (which then writes back
 * to JSON that reads as the same scenario) or an {@link IOException} naming the source.
 */
class ScenarioFuzzTest {

  @FuzzTest(maxDuration = "15m")
  void scenario(byte[] data) {
    Scenario s;
    try {
      s = Scenario.parse(data, "fuzz.json");
    } catch (IOException e) {
      assertTrue(e.getMessage().startsWith("fuzz.json: not a valid scenario"), e.getMessage());
      return;
    }
    try {
      assertEquals(s, Scenario.parse(s.toJson().getBytes(StandardCharsets.UTF_8), "again.json"));
    } catch (IOException e) {
      throw new AssertionError("a scenario read back from its own JSON: " + e.getMessage(), e);
    }
  }
}
