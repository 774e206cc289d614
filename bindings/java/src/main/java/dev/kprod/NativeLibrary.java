package dev.kprod;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Loads libkprod_jni.so once per class loader: from this jar's resources for the
 * running platform (extracted with the libkprod.so.1 the jar carries into a
 * temporary folder, loaded, then deleted), else from java.library.path, where a
 * system package puts it. {@code -Dkprod.jni.use.systemlib=true} skips the jar's copy.
 */
final class NativeLibrary {
    private static final String JNI_LIBRARY = "libkprod_jni.so";
    private static final String CORE_LIBRARY = "libkprod.so.1";
    private static boolean loaded; // guarded by NativeLibrary.class

    private NativeLibrary() {}

    static synchronized void load() {
        if (loaded) return;
        String platform = platform();
        URL bundled = NativeLibrary.class.getResource("/" + platform + "/" + JNI_LIBRARY);
        if (bundled != null && !Boolean.getBoolean("kprod.jni.use.systemlib")) {
            loadFromJar(platform);
        } else {
            loadFromLibraryPath(platform, bundled != null);
        }
        loaded = true;
    }

    private static void loadFromJar(String platform) {
        try {
            Path dir = Files.createTempDirectory("kprod-jni");
            try {
                // libkprod_jni.so finds libkprod.so.1 beside it (its rpath is $ORIGIN).
                Path core = extract(platform, CORE_LIBRARY, dir);
                Path jni = extract(platform, JNI_LIBRARY, dir);
                if (core != null) System.load(core.toString());
                System.load(jni.toString());
            } finally {
                // A loaded library stays mapped: the files can go at once.
                for (String name : new String[] {JNI_LIBRARY, CORE_LIBRARY}) {
                    Files.deleteIfExists(dir.resolve(name));
                }
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UnsatisfiedLinkError("kprod: cannot extract " + JNI_LIBRARY
                    + " from the jar into a temporary folder (java.io.tmpdir="
                    + System.getProperty("java.io.tmpdir") + "): " + e);
        } catch (UnsatisfiedLinkError e) {
            throw new UnsatisfiedLinkError("kprod: the " + JNI_LIBRARY + " in this jar does not load ("
                    + e.getMessage() + "); it needs glibc 2.34+, libstdc++ of GCC 12+, OpenSSL 3 (libssl3), libzstd1, "
                    + "liblz4-1, zlib1g and libsnappy1v5 "
                    + "(Debian's names) installed");
        }
    }

    private static Path extract(String platform, String name, Path dir) throws IOException {
        try (InputStream in = NativeLibrary.class.getResourceAsStream("/" + platform + "/" + name)) {
            if (in == null) return null;
            Path file = dir.resolve(name);
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        }
    }

    private static void loadFromLibraryPath(String platform, boolean jarCarriesOne) {
        try {
            System.loadLibrary("kprod_jni");
        } catch (UnsatisfiedLinkError e) {
            if (jarCarriesOne) {
                throw new UnsatisfiedLinkError("kprod: -Dkprod.jni.use.systemlib=true asks for the system's "
                        + JNI_LIBRARY + ", which is not on java.library.path ("
                        + System.getProperty("java.library.path") + "). Install kprod's Java package "
                        + "(libkprod_jni.so) and libkprod1, or drop the property to use the " + platform
                        + " library this jar carries. Cause: " + e.getMessage());
            }
            throw new UnsatisfiedLinkError("kprod: no native library for " + platform
                    + ": this jar carries none for it, and " + JNI_LIBRARY + " is not on java.library.path ("
                    + System.getProperty("java.library.path") + "). Use the kprod jar built for "
                    + platform + " (mvn package in bindings/java builds one with libkprod_jni.so inside), or "
                    + "install kprod's Java package (libkprod_jni.so) and libkprod1. Cause: " + e.getMessage());
        }
    }

    /** "linux-x86_64" and the like: the folder of the jar that holds this platform's libraries. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (os.startsWith("linux")) os = "linux";
        if (arch.equals("amd64") || arch.equals("x86_64")) arch = "x86_64";
        if (arch.equals("arm64")) arch = "aarch64";
        return os + "-" + arch;
    }
}
