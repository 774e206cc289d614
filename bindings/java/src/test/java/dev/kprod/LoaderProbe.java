package dev.kprod;

/** Loads the native library in a JVM of its own and prints what happened (used by KprodProducerTest). */
public final class LoaderProbe {
    private LoaderProbe() {}

    /**
     * Prints "loaded" or the UnsatisfiedLinkError's message.
     *
     * @param args unused
     */
    public static void main(String[] args) {
        try {
            NativeLibrary.load();
            System.out.println("loaded " + KprodNative.kprod_version_str());
        } catch (UnsatisfiedLinkError e) {
            System.out.println(e.getMessage());
        }
    }
}
