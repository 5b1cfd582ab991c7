package dev.tracepoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line people expect: help everywhere, shared options spelled once, completion. */
class CommandLineTest {

  @Test
  void everyCommandAnswersHelp() {
    List<String> paths = new ArrayList<>();
    collect(Tracepoke.commandLine(), new ArrayList<>(), paths);
    assertTrue(paths.size() >= 20, paths.toString());
    for (String path : paths) {
      for (String flag : List.of("--help", "-h")) {
        List<String> args = new ArrayList<>(List.of(path.split(" ")));
        args.remove(0); // "tracepoke"
        args.add(flag);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Tracepoke.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        assertEquals(0, cl.execute(args.toArray(String[]::new)), path + " " + flag + ": " + err);
        assertTrue(out.toString().startsWith("Usage: " + path + " "), path + ": " + out);
        assertEquals("", err.toString(), path);
      }
    }
  }

  @Test
  void sharedOptionsReadTheSameEverywhere() {
    // one mixin each: the same label and help text wherever the option appears
    List<String> threads = new ArrayList<>();
    for (String cmd : List.of("decode", "diff", "demo", "compare-protocols", "report", "sites")) {
      threads.add(option(cmd, "--threads"));
    }
    assertEquals(1, threads.stream().distinct().count(), threads.toString());
    List<String> json = new ArrayList<>();
    for (String cmd : List.of("diff", "dump", "simulate", "compare-protocols", "sites")) {
      json.add(option(cmd, "--json"));
    }
    assertEquals(1, json.stream().distinct().count(), json.toString());
    assertTrue(option("decode", "--format").contains("text, jsonl"), option("decode", "--format"));
  }

  @Test
  void completionScriptCoversEveryCommand() {
    StringWriter out = new StringWriter();
    CommandLine cl = Tracepoke.commandLine();
    cl.setOut(new PrintWriter(out, true));
    assertEquals(0, cl.execute("completion"));
    String script = out.toString();
    assertTrue(script.startsWith("#!/usr/bin/env bash"), script.substring(0, 40));
    assertTrue(script.contains("complete -F _complete_tracepoke"), "registers the completion function");
    for (String cmd : Tracepoke.commandLine().getSubcommands().keySet()) {
      assertTrue(script.contains(cmd), cmd);
    }
    assertTrue(script.contains("(\"text\" \"jsonl\") # --format values"), "--format values complete");
  }

  private static String option(String command, String name) {
    CommandLine.Model.OptionSpec o = Tracepoke.commandLine().getSubcommands().get(command).getCommandSpec()
        .findOption(name);
    return o.paramLabel() + " " + String.join(" ", o.description());
  }

  private static void collect(CommandLine cl, List<String> prefix, List<String> out) {
    List<String> here = new ArrayList<>(prefix);
    here.add(cl.getCommandName());
    if (!cl.getCommandName().equals("help")) {
      out.add(String.join(" ", here));
    }
    for (CommandLine sub : cl.getSubcommands().values()) {
      collect(sub, here, out);
    }
  }
}
