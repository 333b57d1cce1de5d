package io.switchboard.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Build step: drops the <em>optional</em> {@code osgi.serviceloader.processor} requirement from a packed
 * bundle's manifest, so the Service Loader Mediator (SPI Fly) leaves that bundle's classes alone.
 *
 * <p>SPI Fly weaves every class of a bundle that asks for the processor: each one is read and written
 * again with ASM, stack frames recomputed. For the Felix HTTP Jetty bundle (2,200 classes, the whole
 * Jetty server) that was the largest single cost of starting Switchboard. The one service that bundle
 * looks up through {@code ServiceLoader} with the context class loader is Jetty's
 * {@code HttpFieldPreEncoder}, whose HTTP/1.0 and 1.1 encoders Jetty always installs itself; only the
 * HTTP/2 pre-encoder is not found, and Switchboard serves no HTTP/2.
 *
 * <p>Mandatory requirements are never touched (a bundle that declares one is refused: the build fails).
 * The edited manifest carries {@value #MARKER}, which {@link CoreBundles} compares, so an installation
 * made from the unedited bundle is updated.
 *
 * <p>Usage: {@code OptionalProcessorRequirement <bundle.jar>...} (edits the files in place).
 */
public final class OptionalProcessorRequirement {
    static final String MARKER = "Switchboard-Repacked";
    static final String MARKER_VALUE = "optional osgi.serviceloader.processor requirement removed";
    private static final String PROCESSOR = "osgi.extender=osgi.serviceloader.processor";

    private OptionalProcessorRequirement() {}

    public static void main(String[] args) throws IOException {
        if (args.length == 0) throw new IllegalArgumentException("usage: OptionalProcessorRequirement <bundle.jar>...");
        for (String arg : args) {
            boolean edited = strip(Path.of(arg));
            System.out.println((edited ? "Edited " : "Unchanged ") + arg);
        }
    }

    /** Rewrites the jar without the requirement; false when it had none (the file is left as it was). */
    static boolean strip(Path jar) throws IOException {
        Path tmp = jar.resolveSibling(jar.getFileName() + ".tmp");
        try (JarFile in = new JarFile(jar.toFile(), false)) {
            Manifest manifest = in.getManifest();
            if (manifest == null) throw new IOException(jar + " has no manifest");
            Attributes main = manifest.getMainAttributes();
            String required = main.getValue("Require-Capability");
            String kept = required == null ? null : withoutProcessor(required, jar);
            if (kept == null || kept.equals(required)) return false;
            if (kept.isEmpty()) main.remove(new Attributes.Name("Require-Capability"));
            else main.putValue("Require-Capability", kept);
            main.putValue(MARKER, MARKER_VALUE);
            try (OutputStream out = Files.newOutputStream(tmp); JarOutputStream jarOut = new JarOutputStream(out, manifest)) {
                Enumeration<JarEntry> entries = in.entries();
                while (entries.hasMoreElements()) {
                    JarEntry e = entries.nextElement();
                    if (e.getName().equalsIgnoreCase(JarFile.MANIFEST_NAME)) continue;
                    JarEntry copy = new JarEntry(e.getName());
                    copy.setTime(e.getTime());
                    jarOut.putNextEntry(copy);
                    try (InputStream data = in.getInputStream(e)) {
                        data.transferTo(jarOut);
                    }
                    jarOut.closeEntry();
                }
            }
        }
        Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING);
        return true;
    }

    /** The header without its optional processor clauses; a mandatory one is an error. */
    static String withoutProcessor(String header, Object source) {
        List<String> kept = new ArrayList<>();
        for (String clause : clauses(header)) {
            if (clause.replace(" ", "").contains(PROCESSOR)) {
                if (!clause.replace(" ", "").contains("resolution:=optional")) {
                    throw new IllegalStateException(source + " requires the Service Loader processor: " + clause);
                }
                continue;
            }
            kept.add(clause);
        }
        return String.join(",", kept);
    }

    /** Splits a manifest header at the commas that are not inside quotes. */
    static List<String> clauses(String header) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            if (c == '"') quoted = !quoted;
            if (c == ',' && !quoted) {
                out.add(current.toString().trim());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        if (!current.toString().isBlank()) out.add(current.toString().trim());
        return out;
    }
}
