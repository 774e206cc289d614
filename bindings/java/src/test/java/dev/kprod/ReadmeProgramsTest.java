package dev.kprod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Java block of the README is a whole source file, compiled here exactly
 * as printed against the binding and kafka-clients; Quickstart and PurgeDrafts
 * also run against the test broker, and kcat reads back what they sent.
 */
class ReadmeProgramsTest {
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL);
    private static final Pattern PUBLIC_CLASS = Pattern.compile("^public class (\\w+)", Pattern.MULTILINE);

    @Test
    void everyJavaBlockCompilesAndQuickstartRuns(@TempDir Path dir) throws Exception {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        List<String> sources = new ArrayList<>();
        for (Matcher block = JAVA_BLOCK.matcher(readme); block.find(); ) {
            Matcher name = PUBLIC_CLASS.matcher(block.group(1));
            assertTrue(name.find(), "a README Java block that is not a whole source file:\n" + block.group(1));
            Path file = dir.resolve(name.group(1) + ".java");
            Files.writeString(file, block.group(1), StandardCharsets.UTF_8);
            sources.add(file.toString());
        }
        assertTrue(sources.get(0).endsWith("Quickstart.java"), "the README opens with Quickstart: " + sources);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        List<String> arguments = new ArrayList<>(List.of("-Xlint:all", "-Werror", "-d", dir.toString(),
                "-cp", System.getProperty("java.class.path")));
        arguments.addAll(sources);
        int status = javac.run(null, diagnostics, diagnostics, arguments.toArray(new String[0]));
        assertEquals(0, status, "javac on the README's programs:\n" + diagnostics.toString(StandardCharsets.UTF_8));

        String topic = TestBroker.createTopic("quickstart", 1);
        String output = run(dir, "Quickstart", topic);
        assertTrue(output.contains("delivered to " + topic + "-0 at offset 1"), output);
        List<TestBroker.Consumed> read = TestBroker.readBack(topic);
        assertEquals(List.of("user-42 clicked", "user-43 left"),
                read.stream().map(r -> r.key() + " " + r.value()).toList());

        String purgeTopic = TestBroker.createTopic("purge-drafts", 1);
        output = run(dir, "PurgeDrafts", purgeTopic);
        assertTrue(output.contains("5 purged, then one delivered at offset 0"), output);
        assertEquals(List.of("kept"), TestBroker.readBack(purgeTopic).stream().map(TestBroker.Consumed::value).toList());
    }

    /** Runs a compiled README program against the test broker and returns what it printed. */
    private static String run(Path dir, String program, String topic) throws Exception {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", dir + File.pathSeparator + System.getProperty("java.class.path"), program,
                TestBroker.bootstrap(), topic).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), program + " finished");
        assertEquals(0, process.exitValue(), output);
        return output;
    }
}
