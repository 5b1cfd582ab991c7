package dev.tracepoke.decode.write;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tracepoke.decode.flow.FlowSink;
import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DESIGN.md's JSONL schema 1, byte for byte, including the string escapes of the header and errors. */
class JsonlWriterTest {
  @Test
  void everyElementKind() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    OutputBuffer out = new OutputBuffer(Channels.newChannel(bytes), 100, "test output");
    JsonlWriter w = new JsonlWriter(out, cpu -> cpu == 0 ? 16 : -1);
    w.header("dir \"a\\b\"\u0001\t\u00e9", List.of(0, 3));
    w.range(0, 0xffff800008001000L, 0xffff800008001010L, 4, FlowSink.LAST_COND, true, 5, 9,
        FlowSink.FLAG_NONE, 12);
    w.range(3, 0x10, 0x14, 1, FlowSink.LAST_ERET, false, FlowSink.NO_TIME, 9, FlowSink.FLAG_AMBIGUOUS, 13);
    w.exception(0, 0xE, 0xffff800008001010L, FlowSink.NO_TIME, FlowSink.NO_TIME, 14);
    w.exceptionReturn(0, 7, FlowSink.NO_TIME, 15);
    w.context(0, 1, true, true, 0, 0, 16);
    w.gap(3, FlowSink.GAP_OVERFLOW, 0, 17);
    w.ambiguity(0, 0x1000, new int[] {0xd503201f, 0x94000010}, true, 0x94000010, 1, 2, 18);
    w.ambiguity(0, 0x1000, new int[] {0xd503201f}, false, 0, FlowSink.NO_TIME, FlowSink.NO_TIME, 19);
    w.ambiguity(0, 0x1004, new int[] {0xd503201f, 0x14000002}, false, 0, 3, 4, 19,
        FlowSink.REASON_GAVE_UP);
    w.error(0, 20, 21, "line\nbreak \"q\"\u001f");
    out.flush();
    assertEquals(String.join("\n",
        "{\"type\":\"header\",\"schema\":1,\"source\":\"dir \\\"a\\\\b\\\"\\u0001\\t\u00e9\",\"cores\":[0,3]}",
        "{\"type\":\"range\",\"cpu\":0,\"trace_id\":16,\"start\":\"0xffff800008001000\",\"end\":\"0xffff800008001010\","
            + "\"instructions\":4,\"last\":\"cond\",\"taken\":true,\"time\":[5,9],\"flag\":null,\"offset\":12}",
        "{\"type\":\"range\",\"cpu\":3,\"trace_id\":-1,\"start\":\"0x10\",\"end\":\"0x14\",\"instructions\":1,"
            + "\"last\":\"eret\",\"taken\":false,\"time\":[null,9],\"flag\":\"ambiguous\",\"offset\":13}",
        "{\"type\":\"exception\",\"cpu\":0,\"number\":14,\"kind\":\"irq\",\"return\":\"0xffff800008001010\","
            + "\"time\":null,\"offset\":14}",
        "{\"type\":\"exception_return\",\"cpu\":0,\"time\":[7,null],\"offset\":15}",
        "{\"type\":\"context\",\"cpu\":0,\"el\":1,\"sf\":true,\"ns\":true,\"context_id\":\"0x0\",\"vmid\":0,\"offset\":16}",
        "{\"type\":\"gap\",\"cpu\":3,\"reason\":\"overflow\",\"address\":\"0x0\",\"offset\":17}",
        "{\"type\":\"ambiguity\",\"cpu\":0,\"pc\":\"0x1000\",\"candidates\":[\"0xd503201f\",\"0x94000010\"],"
            + "\"resolved\":\"0x94000010\",\"time\":[1,2],\"at_offset\":18,\"reason\":null}",
        "{\"type\":\"ambiguity\",\"cpu\":0,\"pc\":\"0x1000\",\"candidates\":[\"0xd503201f\"],\"resolved\":null,"
            + "\"time\":null,\"at_offset\":19,\"reason\":\"undecidable\"}",
        "{\"type\":\"ambiguity\",\"cpu\":0,\"pc\":\"0x1004\",\"candidates\":[\"0xd503201f\",\"0x14000002\"],"
            + "\"resolved\":null,\"time\":[3,4],\"at_offset\":19,\"reason\":\"gave_up\"}",
        "{\"type\":\"error\",\"cpu\":0,\"offset\":20,\"packet\":21,\"message\":\"line\\nbreak \\\"q\\\"\\u001F\"}",
        ""), bytes.toString(StandardCharsets.UTF_8));
  }
}
