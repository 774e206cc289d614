// Prints tests/unit/vectors/java_compressed.h: records sections compressed by the
// Java client itself (Compression.wrapForOutput, which MemoryRecordsBuilder wraps
// around a batch's records), for test_compress.cpp to check that kprod's decompress()
// reads what Java writes. With --decode it works the other way: it reads what
// `test_compress --emit` prints (one "label codec compressed-hex raw-hex" line per
// case) and checks that Kafka's own decoders (wrapForInput) give back the raw bytes.
//
// Run from the repository root. The compression libraries (snappy-java, lz4-java,
// zstd-jni) come with the broker's jars, so use its classpath:
//   CP="$(scripts/kafka-local classpath)"
//   java -cp "$CP" tests/unit/vectors/CompressionVectors.java > tests/unit/vectors/java_compressed.h
//   build/tests/test_compress --emit | java -cp "$CP" tests/unit/vectors/CompressionVectors.java --decode
import java.io.BufferedReader;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.ByteBufferOutputStream;

public class CompressionVectors {
    // Over 64 KiB, so that lz4 (64 KiB blocks) and snappy (32 KiB blocks) write several blocks.
    static final int INPUT_SIZE = 70000;
    static final String PHRASE = "kprod writes what every Kafka consumer reads; ";

    record Case(String label, CompressionType type, int level, Compression compression, int inputSize) {}

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("--decode")) {
            System.exit(decodeAll() ? 0 : 1);
        }
        List<Case> cases = cases();
        StringBuilder out = new StringBuilder();
        appendPreamble(out);
        List<String> names = new ArrayList<>();
        for (Case c : cases) {
            byte[] compressed = compress(c.compression(), input(c.inputSize()));
            String name = "java_" + c.label();
            names.add(name);
            appendArray(out, name, compressed);
        }
        out.append("struct JavaCompressed {\n")
           .append("    const char *label;\n")
           .append("    int codec;  // RecordBatch attribute bits: 1 gzip, 2 snappy, 3 lz4, 4 zstd\n")
           .append("    int level;\n")
           .append("    const unsigned char *bytes;\n")
           .append("    size_t size;\n")
           .append("    size_t input_size;  // of compression_vector_input()\n")
           .append("};\n\n")
           .append("static const JavaCompressed java_compressed[] = {\n");
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            out.append("    {\"").append(c.label()).append("\", ").append(c.type().id).append(", ")
               .append(c.level()).append(", ").append(names.get(i)).append(", sizeof ")
               .append(names.get(i)).append(", ").append(c.inputSize()).append("},\n");
        }
        out.append("};\n");
        System.out.print(out);
    }

    // Each codec at its default level and at one far from it (another lz4
    // compressor; a larger zstd window), and each with empty input.
    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("gzip_default", CompressionType.GZIP, -1, Compression.gzip().build(), INPUT_SIZE));
        cases.add(new Case("snappy", CompressionType.SNAPPY, 0, Compression.snappy().build(), INPUT_SIZE));
        cases.add(new Case("lz4_default", CompressionType.LZ4, 9, Compression.lz4().build(), INPUT_SIZE));
        cases.add(new Case("lz4_17", CompressionType.LZ4, 17, Compression.lz4().level(17).build(), INPUT_SIZE));
        cases.add(new Case("zstd_default", CompressionType.ZSTD, 3, Compression.zstd().build(), INPUT_SIZE));
        cases.add(new Case("zstd_19", CompressionType.ZSTD, 19, Compression.zstd().level(19).build(), INPUT_SIZE));
        cases.add(new Case("zstd_minus_5", CompressionType.ZSTD, -5, Compression.zstd().level(-5).build(), INPUT_SIZE));
        cases.add(new Case("gzip_empty", CompressionType.GZIP, -1, Compression.gzip().build(), 0));
        cases.add(new Case("snappy_empty", CompressionType.SNAPPY, 0, Compression.snappy().build(), 0));
        cases.add(new Case("lz4_empty", CompressionType.LZ4, 9, Compression.lz4().build(), 0));
        cases.add(new Case("zstd_empty", CompressionType.ZSTD, 3, Compression.zstd().build(), 0));
        return cases;
    }

    // The input, byte for byte as test_compress.cpp's compression_vector_input():
    // 1 KiB blocks; of each 32, blocks 0-25 repeat PHRASE, 26-30 count ("0000042,"
    // for bytes 336-343), 31 is pseudo-random (x = x * 1664525 + 1013904223 mod
    // 2^32 from x = 2021, one step per byte, the byte being x's top 8 bits).
    static byte[] input(int size) {
        byte[] bytes = new byte[size];
        int x = 2021;
        for (int i = 0; i < size; i++) {
            int kind = (i / 1024) % 32;
            if (kind < 26) {
                bytes[i] = (byte) PHRASE.charAt(i % PHRASE.length());
            } else if (kind < 31) {
                bytes[i] = (byte) String.format("%07d,", i / 8).charAt(i % 8);
            } else {
                x = x * 1664525 + 1013904223;
                bytes[i] = (byte) (x >>> 24);
            }
        }
        return bytes;
    }

    // Writes as MemoryRecordsBuilder does: through a DataOutputStream, a record at a
    // time (here pieces of 1 to 300 bytes), then closes the stream.
    static byte[] compress(Compression compression, byte[] input) throws Exception {
        ByteBufferOutputStream buffer = new ByteBufferOutputStream(1024);
        try (DataOutputStream stream = new DataOutputStream(
                compression.wrapForOutput(buffer, RecordBatch.MAGIC_VALUE_V2))) {
            int at = 0, piece = 0;
            while (at < input.length) {
                int length = Math.min(input.length - at, 1 + (piece++ * 37) % 300);
                stream.write(input, at, length);
                at += length;
            }
        }
        ByteBuffer written = buffer.buffer();
        return Arrays.copyOf(written.array(), written.position());
    }

    static byte[] decompress(CompressionType type, byte[] compressed) throws Exception {
        Compression compression = Compression.of(type).build();
        try (InputStream stream = compression.wrapForInput(ByteBuffer.wrap(compressed),
                RecordBatch.MAGIC_VALUE_V2, BufferSupplier.create())) {
            return stream.readAllBytes();
        }
    }

    // Lines "label codec compressed-hex raw-hex" (an empty field is "-"); prints one
    // verdict per line and returns whether Java read every one back exactly.
    static boolean decodeAll() throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        HexFormat hex = HexFormat.of();
        int passed = 0, failed = 0;
        for (String line; (line = in.readLine()) != null; ) {
            if (line.isBlank()) continue;
            String[] fields = line.trim().split(" ");
            String label = fields[0];
            byte[] compressed = fields[2].equals("-") ? new byte[0] : hex.parseHex(fields[2]);
            byte[] raw = fields[3].equals("-") ? new byte[0] : hex.parseHex(fields[3]);
            try {
                byte[] decoded = decompress(CompressionType.forName(fields[1]), compressed);
                if (Arrays.equals(decoded, raw)) {
                    ++passed;
                    System.out.println("ok   " + label + " (" + compressed.length + " -> " + raw.length + " bytes)");
                } else {
                    ++failed;
                    System.out.println("FAIL " + label + ": Java decoded " + decoded.length
                        + " bytes that differ from the " + raw.length + " raw bytes");
                }
            } catch (Exception e) {
                ++failed;
                System.out.println("FAIL " + label + ": " + e);
            }
        }
        System.out.println(passed + " passed, " + failed + " failed (kafka-clients "
            + AppInfoParser.getVersion() + " decoding kprod's output)");
        return failed == 0 && passed > 0;
    }

    static void appendPreamble(StringBuilder out) {
        out.append("/* Generated by tests/unit/vectors/CompressionVectors.java with kafka-clients ")
           .append(AppInfoParser.getVersion()).append(". Do not edit.\n")
           .append(" * Regenerate from the repository root:\n")
           .append(" *   java -cp \"$(scripts/kafka-local classpath)\" tests/unit/vectors/CompressionVectors.java \\\n")
           .append(" *       > tests/unit/vectors/java_compressed.h\n")
           .append(" *\n")
           .append(" * Each array is what Compression.<codec>().level(L).build().wrapForOutput(buffer,\n")
           .append(" * RecordBatch.MAGIC_VALUE_V2) wrote for compression_vector_input(input_size) (see the\n")
           .append(" * generator's input()), fed in pieces of 1 to 300 bytes as MemoryRecordsBuilder feeds\n")
           .append(" * records. The Java codecs: GZIPOutputStream (JDK zlib), snappy-java's\n")
           .append(" * SnappyOutputStream, Kafka's Lz4BlockOutputStream over lz4-java, zstd-jni's\n")
           .append(" * ZstdOutputStreamNoFinalizer.\n")
           .append(" */\n#pragma once\n\n#include <stddef.h>\n\n");
    }

    static void appendArray(StringBuilder out, String name, byte[] bytes) {
        out.append("static const unsigned char ").append(name).append("[").append(Math.max(bytes.length, 1))
           .append("] = {\n");
        for (int i = 0; i < bytes.length; i += 16) {
            out.append("   ");
            for (int j = i; j < Math.min(i + 16, bytes.length); j++) out.append(String.format(" 0x%02x,", bytes[j] & 0xff));
            out.append('\n');
        }
        out.append("};\n\n");
    }
}
